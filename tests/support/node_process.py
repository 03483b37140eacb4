"""A real `mobility ocpp` process on a spare port, for SIGTERM and kill -9 tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.support.stripe_server import free_port

# This checkout's code (not whatever the venv's `mobility` script was installed from).
ROOT = Path(__file__).resolve().parents[2]


class NodeProcess:
    """`mobility ocpp` as a child process; restartable on the same port and database."""

    def __init__(self, database_url: str, log_path: Path, redis_url: str | None = None) -> None:
        self.port = free_port()
        self.env = {
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": database_url,
            "OCPP_PORT": str(self.port),
            "NODE_ID": f"fault-node-{self.port}",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(ROOT),
        }
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> NodeProcess:
        """Start and wait until the port accepts connections."""
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "mobility.cli", "ocpp"],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"mobility ocpp exited at start:\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"mobility ocpp did not listen within {timeout} s:\n{self.log()}")

    def signal(self, sig: signal.Signals) -> None:
        """Send a signal to the process."""
        assert self.proc is not None
        os.kill(self.proc.pid, sig)

    def wait(self, timeout: float) -> int:
        """Wait for the exit; its return code."""
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self) -> None:
        """Make sure the process is gone (test cleanup)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def log(self) -> str:
        """What the process printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
