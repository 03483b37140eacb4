"""What the web shell needs at request time, installed on the Flask app by the composition root."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from mobility.bus import CommandBus
from mobility.config import Settings
from mobility.db import Database
from mobility.web.token_cache import TokenCache

EXTENSION = "mobility"


@dataclass(frozen=True)
class WebContext:
    """Process-wide collaborators of the shell (sign-in, health)."""

    settings: Settings
    db: Database
    bus: CommandBus
    tokens: TokenCache = field(default_factory=TokenCache)


def web_context() -> WebContext:
    """The shell's context of the current app."""
    ctx: WebContext = current_app.extensions[EXTENSION]
    return ctx
