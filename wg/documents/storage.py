"""Where document files live: a local directory (content-addressed by SHA-256, written
atomically) or, when DOCUMENTS_S3_BUCKET is configured, an S3-compatible store via boto3."""

import os
import re
import tempfile

from flask import current_app

KEY_PATTERN = re.compile(r"sha256/[0-9a-f]{2}/[0-9a-f]{64}")


class StorageError(Exception):
    """The store could not keep a file (unreachable, refused, misconfigured): the upload is
    refused with a message, never a half-recorded document."""


class LocalStorage:
    def __init__(self, root):
        self.root = root

    def _path(self, key):
        if not KEY_PATTERN.fullmatch(key or ""):
            raise ValueError("bad storage key")
        return os.path.join(self.root, *key.split("/"))

    def put(self, key, data):
        """Write `data` under `key`: a temporary file in the same directory, then a rename, so a
        reader never sees half a file. Content-addressed, so an existing key is left alone."""
        path = self._path(key)
        if os.path.exists(path):
            return
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def get(self, key):
        with open(self._path(key), "rb") as handle:
            return handle.read()

    def exists(self, key):
        return os.path.exists(self._path(key))


class S3Storage:
    """An S3-compatible bucket (AWS S3, MinIO, …). Keys are the same content addresses as the
    local store; a missing object reads as FileNotFoundError, a failing store as StorageError."""

    def __init__(self, bucket, endpoint_url=None, key_id=None, secret=None, region=None):
        self.bucket = bucket
        self.client = _s3_client(endpoint_url or None, key_id or None, secret or None,
                                 region or None)

    @staticmethod
    def _check(key):
        if not KEY_PATTERN.fullmatch(key or ""):
            raise ValueError("bad storage key")

    def put(self, key, data):
        """Content-addressed: an object already there (same key, same bytes) is left alone."""
        from botocore.exceptions import BotoCoreError, ClientError

        self._check(key)
        try:
            if self.exists(key):
                return
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data,
                                   ContentLength=len(data))
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"S3 put failed: {exc}") from exc

    def get(self, key):
        from botocore.exceptions import BotoCoreError, ClientError

        self._check(key)
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(key) from exc
            raise StorageError(f"S3 get failed: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 get failed: {exc}") from exc

    def exists(self, key):
        """True when the object is there; False when it is not; StorageError when the store
        cannot say (a missing bucket, refused credentials): not the same as "absent"."""
        from botocore.exceptions import ClientError

        self._check(key)
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise


def _missing(exc):
    return exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


_CLIENTS = {}


def _s3_client(endpoint_url, key_id, secret, region):
    """One boto3 client per configuration (clients are thread-safe and costly to build), with
    timeouts and few retries so that a dead store fails a request instead of hanging it."""
    import boto3
    from botocore.config import Config

    settings = (endpoint_url, key_id, secret, region)
    if settings not in _CLIENTS:
        _CLIENTS[settings] = boto3.client(
            "s3", endpoint_url=endpoint_url, aws_access_key_id=key_id,
            aws_secret_access_key=secret, region_name=region,
            config=Config(connect_timeout=5, read_timeout=30,
                          retries={"max_attempts": 2, "mode": "standard"}))
    return _CLIENTS[settings]


def storage_key(sha256):
    return f"sha256/{sha256[:2]}/{sha256}"


def get_storage(app=None):
    config = (app or current_app).config
    if config.get("DOCUMENTS_S3_BUCKET"):
        return S3Storage(config["DOCUMENTS_S3_BUCKET"], config.get("DOCUMENTS_S3_ENDPOINT_URL"),
                         config.get("DOCUMENTS_S3_KEY_ID"), config.get("DOCUMENTS_S3_SECRET"),
                         config.get("DOCUMENTS_S3_REGION"))
    root = config.get("DOCUMENTS_DIR") or os.path.join((app or current_app).instance_path,
                                                       "documents")
    return LocalStorage(root)
