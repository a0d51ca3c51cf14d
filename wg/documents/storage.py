"""Where document files live: a local directory (content-addressed by SHA-256, written
atomically) or, when DOCUMENTS_S3_BUCKET is configured, an S3-compatible store via boto3."""

import os
import re
import tempfile

from flask import current_app

KEY_PATTERN = re.compile(r"sha256/[0-9a-f]{2}/[0-9a-f]{64}")


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
    def __init__(self, bucket, endpoint_url=None, key_id=None, secret=None, region=None):
        import boto3

        self.bucket = bucket
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None,
                                   aws_access_key_id=key_id or None,
                                   aws_secret_access_key=secret or None,
                                   region_name=region or None)

    def put(self, key, data):
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def get(self, key):
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def exists(self, key):
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError:
            return False


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
