"""The production WSGI server of one process (waitress: threaded, pure Python, embeddable).

The all-in-one runner serves the web app in the same process as the OCPP node, so that the
in-process command bus reaches the chargers; waitress runs in a thread beside the event loop.
To scale out, run several `mobility web` processes (with REDIS_URL) or any WSGI server on
`mobility.wsgi:app`.
"""

from __future__ import annotations

import threading
from typing import Any

from waitress.server import create_server

THREADS = 16


class WebServer:
    """A waitress server on its own thread."""

    def __init__(self, app: Any, host: str, port: int, threads: int = THREADS) -> None:
        # Bind now so that a port in use fails at start, with a clear error.
        self._server: Any = create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="mobility",
            clear_untrusted_proxy_headers=True,
        )
        self._thread = threading.Thread(target=self._server.run, name="web", daemon=True)

    @property
    def port(self) -> int:
        """The bound port (useful when started on port 0)."""
        return int(self._server.effective_port)

    def start(self) -> WebServer:
        """Serve requests from now on."""
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop accepting and let the worker threads finish."""
        self._server.close()
        self._thread.join(10)
