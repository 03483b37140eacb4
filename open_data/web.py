"""The GBFS endpoints: cached documents with ETag, Cache-Control, 304 and gzip."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request
from werkzeug.wrappers import Response as BaseResponse

from mobility.errors import NotFound
from open_data.context import EXTENSION, OpenDataContext, ctx
from open_data.feeds import served

bp = Blueprint("open_data", __name__, url_prefix="/gbfs")
# The manifest's stable address names the first version every consumer reads.
MANIFEST_VERSION = "3.0"


def init_app(app: Flask, context: OpenDataContext) -> None:
    """Register the GBFS feeds (public, read-only)."""
    app.extensions[EXTENSION] = context
    app.register_blueprint(bp)


@bp.get("/manifest.json")
def manifest() -> BaseResponse:
    """The publisher's datasets (GBFS 3.0 manifest)."""
    return _send(MANIFEST_VERSION, "manifest")


@bp.get("/<version>/<name>.json")
def feed(version: str, name: str) -> BaseResponse:
    """One GBFS file of one version."""
    if not served(version, name):
        raise NotFound(f"No GBFS feed {version}/{name}.json.")
    return _send(version, name)


def _send(version: str, name: str) -> BaseResponse:
    doc, max_age = ctx().feeds.get(version, name)
    gzipped = "gzip" in request.accept_encodings
    resp = Response(doc.gzipped if gzipped else doc.body, mimetype="application/json")
    if gzipped:
        resp.content_encoding = "gzip"
    # Each encoding is its own representation, so it has its own strong ETag.
    resp.set_etag(doc.etag + ("-gz" if gzipped else ""))
    resp.cache_control.public = True
    resp.cache_control.max_age = max_age
    resp.vary.add("Accept-Encoding")
    # Open data: any site's scripts may read it.
    resp.access_control_allow_origin = "*"
    return resp.make_conditional(request)
