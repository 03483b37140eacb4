"""The command line: safe defaults and one-line errors (run as a real process)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from tests.support.node_process import ROOT

# This checkout's CLI (the venv's `mobility` script may come from another checkout).
CLI = [sys.executable, "-m", "mobility.cli"]


def _run(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite",
        **extra,
    }


def test_unreachable_database_is_one_clear_line(tmp_path):
    r = _run("db", "upgrade", env=_env(tmp_path, DATABASE_URL="postgresql://x@127.0.0.1:1/x"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "database is unreachable" in r.stderr


def test_downgrade_needs_a_target_and_confirmation_to_drop_everything(tmp_path):
    env = _env(tmp_path)
    assert _run("db", "upgrade", env=env).returncode == 0
    assert "--revision" in _run("db", "downgrade", env=env).stderr
    refused = _run("db", "downgrade", "--revision", "base", env=env)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert _run("db", "downgrade", "--revision", "base", "--yes", env=env).returncode == 0


def test_port_in_use_is_one_clear_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = _run("web", "--web-port", str(port), env=_env(tmp_path), timeout=60)
    assert (
        r.returncode == 1 and "Traceback" not in r.stderr and "port is already in use" in r.stderr
    )


def test_run_seeds_no_demo_accounts_unless_asked(tmp_path):
    from mobility.config import load_settings
    from mobility.db import Database
    from mobility.models import User

    env = _env(tmp_path, WEB_PORT="0", OCPP_PORT="0", RUN_SCHEDULER="false")
    proc = subprocess.Popen([*CLI, "run"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and "web:" in proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(20)
    db = Database(load_settings({}, database_url=env["DATABASE_URL"]))
    with db.sessions() as s:
        assert s.query(User).count() == 0
    db.dispose()
