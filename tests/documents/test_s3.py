"""Document files in an S3-compatible store: a real S3 server (moto_server, a separate process
on a loopback port) behind the app's DOCUMENTS_S3_* settings."""

import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import boto3
import pytest
from sqlalchemy import select

from tests.documents import helpers
from tests.documents.test_views import _as, _upload, _world
from wg.documents import storage
from wg.documents.models import DocumentVersion
from wg.extensions import db

BUCKET = "wg-documents"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """moto_server on 127.0.0.1: its endpoint URL; stopped (by its pid) after the module."""
    port = _free_port()
    binary = os.path.join(os.path.dirname(sys.executable), "moto_server")
    process = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError("moto_server stopped") from None
                time.sleep(0.1)
        else:
            raise RuntimeError("moto_server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture()
def s3(app, s3_server, monkeypatch):
    """The app configured for S3 (a fresh bucket each test); a boto3 client to look inside."""
    settings = {"DOCUMENTS_S3_BUCKET": BUCKET, "DOCUMENTS_S3_ENDPOINT_URL": s3_server,
                "DOCUMENTS_S3_KEY_ID": "testing", "DOCUMENTS_S3_SECRET": "testing",
                "DOCUMENTS_S3_REGION": "eu-central-1"}
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    # No credentials or region from the machine: only the app's settings count.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION",
                 "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    client = boto3.client("s3", endpoint_url=s3_server, aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="eu-central-1")
    urllib.request.urlopen(urllib.request.Request(s3_server + "/moto-api/reset",
                                                  method="POST"))
    client.create_bucket(Bucket=BUCKET,
                         CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    return client


def _keys(client):
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_upload_download_and_new_version_through_s3(app, s3):
    w = _world(app)
    chair = _as(app, w["emails"]["chair"])
    assert _upload(chair, "meeting", w["meeting"], helpers.PDF, "a.pdf",
                   title="Stored in S3").status_code == 302
    with app.app_context():
        assert isinstance(storage.get_storage(), storage.S3Storage)
        first = db.session.scalar(select(DocumentVersion))
        doc_id, key = first.document_id, first.storage_key
    assert _keys(s3) == [key]
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == helpers.PDF
    download = chair.get(f"/documents/{doc_id}/versions/1/download")
    assert download.status_code == 200 and download.data == helpers.PDF
    # A new version; then the same bytes again in another document: content-addressed, one
    # object per content.
    page = f"/documents/{doc_id}/versions"
    html = chair.get(page).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    response = chair.post(page, {"file": (io.BytesIO(helpers.PNG), "b.png"),
                                 "version": version}, form_page=page,
                          content_type="multipart/form-data")
    assert response.status_code == 302
    assert _upload(chair, "meeting", w["meeting"], helpers.PDF, "copy.pdf",
                   title="Same bytes").status_code == 302
    assert len(_keys(s3)) == 2
    assert chair.get(f"/documents/{doc_id}/versions/2/download").data == helpers.PNG
    assert chair.get(f"/documents/{doc_id}/versions/1/download").data == helpers.PDF


def test_a_missing_object_is_a_clear_404_not_a_500(app, s3):
    w = _world(app)
    chair = _as(app, w["emails"]["chair"])
    _upload(chair, "meeting", w["meeting"], helpers.PDF, "a.pdf", title="Vanishing")
    with app.app_context():
        version = db.session.scalar(select(DocumentVersion))
        doc_id, key = version.document_id, version.storage_key
    s3.delete_object(Bucket=BUCKET, Key=key)
    response = chair.get(f"/documents/{doc_id}/versions/1/download")
    assert response.status_code == 404
    assert "file of this version is missing" in response.get_data(as_text=True)
    with app.app_context():
        with pytest.raises(FileNotFoundError):
            storage.get_storage().get(key)


def test_an_unreachable_store_refuses_the_upload_with_a_message(app, s3, monkeypatch):
    w = _world(app)
    monkeypatch.setitem(app.config, "DOCUMENTS_S3_BUCKET", "no-such-bucket")
    chair = _as(app, w["emails"]["chair"])
    response = _upload(chair, "meeting", w["meeting"], helpers.PDF, "a.pdf", title="Lost")
    assert response.status_code == 503
    assert "could not be stored" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(DocumentVersion)) is None
