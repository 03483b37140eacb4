"""The planner is pure: importing it pulls in no web, database, OCPP or payment library."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN = ("flask", "sqlalchemy", "websockets", "ocpp", "stripe")


def test_energy_imports_no_io_library():
    code = (
        "import sys, energy, energy.planner, energy.lp, energy.greedy, energy.pv, energy.dispatch,"
        " energy.store, energy.plot\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({FORBIDDEN!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
