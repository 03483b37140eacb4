"""gunicorn (POSIX) embedded for the booking benchmark: gthread workers, each building its app
after the fork (no database pool or threads shared across processes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication


class GunicornServer(BaseApplication):
    """Serve `make_app()` with gthread workers on host:port until stopped (SIGTERM/SIGINT)."""

    def __init__(
        self, make_app: Callable[[], Any], host: str, port: int, workers: int, threads: int
    ) -> None:
        self._make_app = make_app
        self._options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "graceful_timeout": 10,
            "accesslog": None,
            "loglevel": "warning",
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._make_app()
