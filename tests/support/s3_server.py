"""A real S3-compatible server for tests: moto's standalone server in its own process."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from tests.support.stripe_server import free_port, server_process


@pytest.fixture(scope="session")
def s3_url() -> Iterator[str]:
    """Endpoint URL of a fresh `moto.server` process (one per test session)."""
    pytest.importorskip("boto3")
    pytest.importorskip("moto.server")
    port = free_port()
    args = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with server_process(args, port, "moto.server", 30) as url:
        yield url


def make_bucket(url: str, name: str) -> None:
    """Create a bucket on the test server (any credentials are accepted there)."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket=name)
