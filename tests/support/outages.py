"""Dependencies a test owns and takes down: redis-server and a PostgreSQL cluster on spare ports."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.stripe_server import free_port


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


def _wait_listening(port: int, proc: subprocess.Popen[bytes], what: str) -> None:
    for _ in range(100):
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited at start")
        if _listening(port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port}")


class RedisServer:
    """redis-server on a spare port, without persistence: a restart comes back empty."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Its URL (database 0)."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        """Start (again) on the same port."""
        args = ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(args, cwd=self.folder, stdout=subprocess.DEVNULL)
        _wait_listening(self.port, self.proc, "redis-server")
        return self

    def kill(self) -> None:
        """kill -9: gone at once, nothing said to clients."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


def _pg_bin(name: str) -> str:
    installed = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    found = shutil.which(name) or (installed[-1] if installed else None)
    if found is None:
        raise RuntimeError(f"{name} not found (PostgreSQL server binaries)")
    return found


class PostgresCluster:
    """A PostgreSQL cluster of its own (initdb) on a spare port, stopped and started at will.

    PostgreSQL refuses to run as root; as root the cluster is run as the `postgres` user, in a
    folder of its own under the system temporary folder (pytest's is private to root).
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="mobility-pg-"))
        self.data = self.folder / "data"
        self.running = False
        self._as: list[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        """Its URL (the `postgres` database, trust authentication)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> PostgresCluster:
        """Create the cluster's files."""
        if self._as:
            shutil.chown(self.folder, "postgres")
        subprocess.run(
            [*self._as, _pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return self

    def start(self) -> PostgresCluster:
        """Start (again) on the same port; returns once it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.data} -c fsync=off"
        )
        self._ctl("start", "-w", "-o", options, "-l", str(self.data / "log"))
        self.running = True
        return self

    def stop(self) -> None:
        """Fast shutdown: every client connection is cut."""
        if self.running:
            self._ctl("stop", "-w", "-m", "fast")
            self.running = False

    def remove(self) -> None:
        """Stop it and delete its files."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*self._as, _pg_bin("pg_ctl"), "-D", str(self.data), *args],
            check=True,
            stdout=subprocess.DEVNULL,
        )
