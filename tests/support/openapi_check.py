"""Checks a JSON answer against the schema the OpenAPI document gives its operation."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from booking.openapi import document


def check_documented(method: str, path: str, body: Any, status: int = 200) -> None:
    """Fail unless `body` is what the document says `method path` answers with `status`."""
    doc = document()
    responses = doc["paths"][path][method]["responses"]
    answer = responses.get(str(status)) or responses[f"{str(status)[0]}XX"]
    schema = answer["content"]["application/json"]["schema"]
    # The operation's schema at the root, beside the components its references point into.
    Draft202012Validator({**schema, "components": doc["components"]}).validate(body)
