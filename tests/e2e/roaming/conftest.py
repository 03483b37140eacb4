"""Our platform (OCPP node + web app over real HTTP) and an eMSP partner, both on localhost."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from mobility.app import Core, build_core, build_ocpp_server, create_web_app
from mobility.bus import InProcessBus
from mobility.demo import seed_demo
from ocpp_server.server import OcppServer
from tests.e2e.roaming.emsp import Emsp, emsp_app
from tests.support.browser import served


@dataclass
class Cpo:
    """Our side: the core, its OCPP node and where its web app is served."""

    core: Core
    ocpp: OcppServer
    url: str

    @property
    def versions(self) -> str:
        return f"{self.url}/ocpi/versions"

    def module(self, path: str) -> str:
        return f"{self.url}/ocpi/cpo/2.2.1/{path}"


@pytest.fixture
async def cpo(db, settings) -> AsyncIterator[Cpo]:
    seed_demo(db)
    core = build_core(settings, db=db, bus=InProcessBus())
    node = build_ocpp_server(core)
    await node.start()
    try:
        with served(create_web_app(core)) as url:
            yield Cpo(core, node, url)
    finally:
        await node.stop()
        core.outbox.flush(10)
        core.outbox.close()


@pytest.fixture
def emsp() -> Iterator[Emsp]:
    partner = Emsp()
    with served(emsp_app(partner)) as url:
        partner.url = url
        yield partner


def register(cpo: Cpo, emsp: Emsp) -> str:
    """The credentials handshake: token A from our operator, B from the eMSP, C back."""
    token_a = cpo.core.roaming.partners.issue("Test eMSP")
    answer = emsp.call(
        "POST", f"{cpo.url}/ocpi/2.2.1/credentials", emsp.credentials(), token=token_a
    )
    assert answer.status_code == 200, answer.text
    emsp.token_c = answer.json()["data"]["token"]
    return token_a
