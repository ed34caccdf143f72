"""A storage failure that cannot clear (a rule the database enforces refuses every offer) ends the runs in the
error state with a clear message, instead of pausing them forever; a real CLI process on a real SQLite file."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from negotiator_app.domain import RunState, save_scenario
from negotiator_app.storage import Store
from negotiator_app.storage.errors import describe
from tests.cli.scripted import responder
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.storage.support import small_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake():
    with FakeLMStudio() as server:
        server.responder = responder
        yield server


def test_an_integrity_error_ends_the_runs_in_the_error_state(fake, tmp_path):
    scenario, db = tmp_path / "scenario.json", tmp_path / "n.sqlite3"
    save_scenario(small_config(), scenario)
    Store.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TRIGGER no_offers BEFORE INSERT ON offers BEGIN SELECT RAISE(ABORT, 'offers refused'); END")
    conn.commit()
    conn.close()
    proc = subprocess.run([sys.executable, "-m", "negotiator_app", "run", str(scenario), "--base-url", fake.base_url,
                           "--db", str(db)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr  # a run ended in the error state
    assert "Traceback" not in proc.stderr
    assert "offers refused" in proc.stderr and "cannot clear by waiting" in proc.stderr
    assert "paused" not in proc.stderr
    with Store.open(db, read_only=True) as store:
        runs = store.list_runs(1)
        assert runs and {r.state for r in runs} == {RunState.ERROR}
        record = store.load_run(runs[0].run_id)
        assert record.messages  # what was said before the failure is kept


@pytest.mark.parametrize(("error", "lasting"), [
    (sqlite3.IntegrityError("UNIQUE constraint failed"), True),
    (sqlite3.DatabaseError("database disk image is malformed"), True),
    (sqlite3.OperationalError("no such table: offers"), True),
    (sqlite3.OperationalError("database is locked"), False),
])
def test_errors_that_cannot_clear_are_told_apart(error, lasting):
    if "locked" in str(error):
        error.sqlite_errorcode = 5  # SQLITE_BUSY, as sqlite3 sets it
    assert describe(error, None).transient is not lasting
