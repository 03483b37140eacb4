"""The file store port: on disk, and in a real S3-compatible server (moto's, in a process)."""

from __future__ import annotations

import uuid

import pytest

from mobility.config import load_settings
from mobility.errors import ConfigError
from mobility.storage import DiskStore, S3Store, store_for
from tests.support.s3_server import make_bucket

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40


def _round_trip(store) -> None:  # type: ignore[no-untyped-def]
    key = f"reports/{uuid.uuid4().hex}.jpg"
    assert store.get(key) is None
    store.put(key, PHOTO, "image/jpeg")
    found = store.get(key)
    assert found is not None and (found.data, found.content_type) == (PHOTO, "image/jpeg")
    store.put(key, b"\x89PNG\r\n\x1a\n", "image/png")  # replaced whole
    assert store.get(key).content_type == "image/png"
    store.delete(key)
    assert store.get(key) is None
    store.delete(key)  # deleting twice is fine
    for bad in ("../etc/passwd", "/abs", "a/../../b", "UPPER.jpg", "a//b"):
        with pytest.raises(ValueError):
            store.put(bad, b"x", "image/png")


def test_disk_store_round_trip_stays_inside_its_folder(tmp_path):
    store = DiskStore(tmp_path / "uploads")
    _round_trip(store)
    assert not any(p.name.startswith(".upload-") for p in tmp_path.rglob("*"))


@pytest.mark.s3
def test_s3_store_round_trip_against_a_real_s3_server(s3_url):
    make_bucket(s3_url, "photos")
    settings = load_settings(
        {},
        file_store="s3",
        s3_bucket="photos",
        s3_prefix="district-1",
        s3_endpoint_url=s3_url,
        s3_region="us-east-1",
        s3_access_key_id="test",
        s3_secret_access_key="test",
    )
    store = store_for(settings)
    assert isinstance(store, S3Store)
    _round_trip(store)
    store.put("reports/kept.png", b"\x89PNG\r\n\x1a\n", "image/png")
    listed = store.client.list_objects_v2(Bucket="photos")["Contents"]
    assert [o["Key"] for o in listed] == ["district-1/reports/kept.png"]


def test_settings_choose_the_store():
    assert isinstance(store_for(load_settings({}, file_dir="/tmp/x")), DiskStore)
    with pytest.raises(ConfigError, match="S3_BUCKET"):
        load_settings({"FILE_STORE": "s3"})
    with pytest.raises(ConfigError, match="FILE_STORE"):
        load_settings({"FILE_STORE": "ftp"})
