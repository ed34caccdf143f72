"""SIGTERM to the window process is handled like closing the window: the rooms stop, what was being said is
stored as interrupted, the runs end stopped (a real window process, offscreen, against a slow fake server)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from negotiator_app.domain import RunState
from negotiator_app.storage import Store
from tests.cli.scripted import responder
from tests.cli.test_cli import _wait_for_messages
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.storage.support import small_config

ROOT = Path(__file__).resolve().parents[2]


def test_sigterm_stops_the_window_rooms_and_stores_the_partial_message(tmp_path):
    db = tmp_path / "n.sqlite3"
    with Store.open(db) as store:
        store.create_session(small_config())
    with FakeLMStudio(per_token_delay_s=0.2) as fake:  # each reply streams for seconds: SIGTERM lands mid-reply
        fake.responder = responder
        proc = subprocess.Popen([sys.executable, "-m", "tests.ui.window_launcher", str(db), fake.base_url], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        try:
            _wait_for_messages(db, proc, 2, timeout=60)
            time.sleep(1.5)  # past the JSON prefix of the replies now streaming: visible text has arrived
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    with Store.open(db, read_only=True) as store:
        runs = [store.load_run(r.run_id) for r in store.list_runs(1)]
    assert runs and {r.state for r in runs} == {RunState.STOPPED}
    assert any(m.interrupted and m.text for r in runs for m in r.messages)
