"""Where uploaded files live (problem-report photos): a port, on disk or in an S3-compatible store.

The composition root picks one from the settings (FILE_STORE=disk|s3) and hands it to whoever
keeps files. Keys are made by the caller (random, no user input) and hold only [a-z0-9/._-].
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from mobility.config import Settings
from mobility.errors import ConfigError

_KEY = re.compile(r"^[a-z0-9][a-z0-9/._-]{0,200}$")


@dataclass(frozen=True)
class StoredFile:
    """A file read back: its bytes and content type."""

    data: bytes
    content_type: str


class FileStore(Protocol):
    """Keeps files by key."""

    name: str

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store (or replace) the file at `key`."""

    def get(self, key: str) -> StoredFile | None:
        """The file at `key`, or None."""

    def delete(self, key: str) -> None:
        """Remove the file at `key` (nothing when it is not there)."""


def check_key(key: str) -> str:
    """A key that cannot climb out of the store's folder or bucket prefix."""
    if not _KEY.match(key) or ".." in key or "//" in key:
        raise ValueError(f"bad storage key {key!r}")
    return key


class DiskStore:
    """Files under a folder; the content type in a side file beside each."""

    name = "disk"

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write atomically (temporary file, then rename): a reader never sees half a photo."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        for target, body in (
            (path.with_name(path.name + ".type"), content_type.encode()),
            (path, data),
        ):
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            with os.fdopen(fd, "wb") as out:
                out.write(body)
            os.replace(tmp, target)

    def get(self, key: str) -> StoredFile | None:
        """The file and its type, or None."""
        path = self._path(key)
        try:
            data = path.read_bytes()
            kind = path.with_name(path.name + ".type").read_text().strip()
        except FileNotFoundError:
            return None
        return StoredFile(data, kind or "application/octet-stream")

    def delete(self, key: str) -> None:
        """Remove the file and its type."""
        path = self._path(key)
        for target in (path, path.with_name(path.name + ".type")):
            target.unlink(missing_ok=True)


class S3Store:
    """Objects in a bucket of an S3-compatible store (AWS, MinIO, Ceph, Garage...) via boto3."""

    name = "s3"

    def __init__(self, bucket: str, prefix: str = "", client: Any = None, **client_args: Any):
        import boto3  # only deployments that store files in S3 need it

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client("s3", **client_args)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Upload the object with its content type."""
        self.client.put_object(
            Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type
        )

    def get(self, key: str) -> StoredFile | None:
        """Download the object, or None when there is none."""
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.NoSuchKey:
            return None
        return StoredFile(found["Body"].read(), found.get("ContentType") or "")

    def delete(self, key: str) -> None:
        """Delete the object (S3 answers the same when there is none)."""
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


def store_for(settings: Settings) -> FileStore:
    """The store the settings ask for (FILE_STORE=disk, the default, or s3)."""
    if settings.file_store == "disk":
        return DiskStore(settings.file_dir)
    if settings.file_store == "s3":
        if not settings.s3_bucket:
            raise ConfigError("FILE_STORE=s3 needs S3_BUCKET")
        args = {
            "endpoint_url": settings.s3_endpoint_url,
            "region_name": settings.s3_region,
            "aws_access_key_id": settings.s3_access_key_id,
            "aws_secret_access_key": settings.s3_secret_access_key,
        }
        # Unset credentials fall back to boto3's own chain (environment, instance role).
        return S3Store(
            settings.s3_bucket, settings.s3_prefix, **{k: v for k, v in args.items() if v}
        )
    raise ConfigError(f"FILE_STORE must be disk or s3, got {settings.file_store!r}")
