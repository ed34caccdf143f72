"""`negotiator run` on the strategy example: no model server anywhere, exit 0 and an outcome table."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from negotiator_app.storage import Store

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "scenarios" / "classic_negotiators.json"


def unused_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


def test_the_strategy_example_runs_with_no_server(tmp_path):
    db = tmp_path / "n.sqlite3"
    # The scenario's server URL is made to point where nothing listens: a probe would fail the command.
    done = subprocess.run(
        [sys.executable, "-m", "negotiator_app", "run", str(EXAMPLE), "--db", str(db), "--base-url", unused_url()],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    assert "not running" not in done.stderr
    table = done.stdout[done.stdout.index("item  "):].splitlines()
    assert table[1].split()[:2] == ["Wireless", "mouse"] and "deal" in table[1].split()
    with Store.open(db) as store:
        (session,) = store.list_sessions()
        (run,) = store.list_runs(session.id)
        record = store.load_run(run.run_id)
    assert record.outcome.kind == "deal" and record.seed is not None
    assert {m.produced_by.agent_kind.value for m in record.messages} == {"strategy"}
