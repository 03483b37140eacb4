"""A small eMSP platform on Flask, served over real HTTP: the partner of the roaming tests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import requests
from flask import Flask, jsonify, request

from roaming.wire import authorization_header, envelope, presented_tokens

COUNTRY, PARTY = "NL", "EMS"


@dataclass
class Emsp:
    """What the eMSP received and the credentials it holds."""

    token_b: str = "emsp-token-b-0001"
    token_c: str | None = None  # ours, to call the CPO
    cpo_versions: str | None = None
    url: str = ""  # where it is served
    sessions: list[dict[str, Any]] = field(default_factory=list)
    cdrs: list[dict[str, Any]] = field(default_factory=list)
    command_results: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0  # calls that came without our token B
    lock: threading.Lock = field(default_factory=threading.Lock)

    def credentials(self) -> dict[str, Any]:
        """The eMSP's credentials object (token B)."""
        return {
            "token": self.token_b,
            "url": f"{self.url}/ocpi/versions",
            "roles": [
                {
                    "role": "EMSP",
                    "business_details": {"name": "Test eMSP"},
                    "party_id": PARTY,
                    "country_code": COUNTRY,
                }
            ],
        }

    def call(self, method: str, url: str, body: Any = None, token: str | None = None) -> Any:
        """Call the CPO with token C (or another token); returns the requests response."""
        headers = {"Authorization": authorization_header(token or self.token_c or "")}
        return requests.request(method, url, json=body, headers=headers, timeout=10)

    def last_session(self, session_id: str) -> dict[str, Any] | None:
        """The newest Session pushed with this id."""
        with self.lock:
            found = [s for s in self.sessions if s["id"] == session_id]
        return found[-1] if found else None


def emsp_app(emsp: Emsp) -> Flask:
    """The eMSP's OCPI endpoints: versions, credentials, sessions and CDR receivers."""
    app = Flask("emsp")

    def allowed() -> bool:
        if emsp.token_b in presented_tokens(request.headers.get("Authorization")):
            return True
        emsp.refused += 1
        return False

    def answer(data: Any = None) -> Any:
        if not allowed():
            return jsonify(envelope(None, 2000, "unauthorized")), 401
        return jsonify(envelope(data))

    @app.get("/ocpi/versions")
    def versions() -> Any:
        return answer([{"version": "2.2.1", "url": f"{emsp.url}/ocpi/2.2.1"}])

    @app.get("/ocpi/2.2.1")
    def details() -> Any:
        base = f"{emsp.url}/ocpi/emsp/2.2.1"
        endpoints = [
            {
                "identifier": "credentials",
                "role": "SENDER",
                "url": f"{emsp.url}/ocpi/2.2.1/credentials",
            },
            {"identifier": "sessions", "role": "RECEIVER", "url": f"{base}/sessions"},
            {"identifier": "cdrs", "role": "RECEIVER", "url": f"{base}/cdrs"},
            {"identifier": "commands", "role": "SENDER", "url": f"{base}/commands"},
        ]
        return answer({"version": "2.2.1", "endpoints": endpoints})

    @app.put("/ocpi/emsp/2.2.1/sessions/<cc>/<pid>/<sid>")
    def put_session(cc: str, pid: str, sid: str) -> Any:
        body = request.get_json()
        if allowed():
            assert (body["country_code"], body["party_id"], body["id"]) == (cc, pid, sid)
            with emsp.lock:
                emsp.sessions.append(body)
            return jsonify(envelope())
        return jsonify(envelope(None, 2000, "unauthorized")), 401

    @app.post("/ocpi/emsp/2.2.1/cdrs")
    def post_cdr() -> Any:
        if allowed():
            with emsp.lock:
                emsp.cdrs.append(request.get_json())
            return jsonify(envelope())
        return jsonify(envelope(None, 2000, "unauthorized")), 401

    @app.post("/ocpi/emsp/2.2.1/commands/<command>/<ref>")
    def command_result(command: str, ref: str) -> Any:
        if allowed():
            with emsp.lock:
                emsp.command_results.append({"command": command, "ref": ref, **request.get_json()})
            return jsonify(envelope())
        return jsonify(envelope(None, 2000, "unauthorized")), 401

    return app
