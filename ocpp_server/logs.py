"""What the OCPP node logs, and at which level.

One INFO line per connection event (ours, in server.py); frames and handshakes at DEBUG; a
charger's bad input as one WARNING line without a traceback (it is the charger's to fix, and a
misbehaving charger must not fill the log with stacks); our own failures with their traceback.
The ocpp and websockets libraries log every frame and handshake at INFO: they get loggers that
follow these rules instead.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from ocpp.exceptions import OCPPError

FRAMES = logging.getLogger("ocpp_server.frames")
INPUT = logging.getLogger("ocpp_server.input")
log = logging.getLogger(__name__)

LONGEST_DETAIL = 200


class Handshakes(logging.LoggerAdapter[logging.Logger]):
    """The websockets server's logger: its INFO lines (handshakes, open, close) become DEBUG."""

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        """Log at DEBUG what the library logs at INFO, the rest as it is."""
        super().log(logging.DEBUG if level == logging.INFO else level, msg, *args, **kwargs)


def handshakes() -> Handshakes:
    """The logger handed to the websockets server."""
    return Handshakes(logging.getLogger("websockets.server"), {})


def bad_input(cp_id: str, what: str, code: str, detail: str) -> None:
    """One WARNING line for a frame of the charger's that we answered with a CallError."""
    first = detail.strip().splitlines()[0] if detail.strip() else ""
    INPUT.warning("charger %s: %s refused with %s: %s", cp_id, what, code, first[:LONGEST_DETAIL])


class SessionLog:
    """The ocpp library's logger for one charger's session (small: one is held per charger)."""

    __slots__ = ("cp_id",)

    def __init__(self, cp_id: str) -> None:
        self.cp_id = cp_id

    def info(self, msg: str, *args: Any) -> None:
        """Frames sent and received."""
        FRAMES.debug(msg, *args)

    def warning(self, msg: str, *args: Any) -> None:
        """A CallError answering our command: stored with the command, told to its caller."""
        FRAMES.debug(msg, *args)

    def error(self, msg: str, *args: Any) -> None:
        """An answer nobody waits for any more (a command that timed out)."""
        INPUT.warning("charger %s: " + msg, self.cp_id, *args)

    def exception(self, msg: str, *args: Any) -> None:
        """A charger's call that ended in a CallError (called from the library's except block)."""
        exc = sys.exc_info()[1]
        what = getattr(args[0], "action", "a frame") if args else "a frame"
        if isinstance(exc, OCPPError):
            bad_input(self.cp_id, what, exc.code, _cause(exc))
        else:  # our own failure: keep its traceback
            log.error("charger %s: failed to handle %s", self.cp_id, what, exc_info=exc)


def _cause(exc: OCPPError) -> str:
    details = exc.details if isinstance(exc.details, dict) else {}
    cause = details.get("cause")
    return str(cause) if cause else str(exc.description)
