"""The CLI against a fake LM Studio and real SQLite files: run, list, export, import, and crash + resume."""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import jsonschema
import pytest

from negotiator_app.cli import main
from negotiator_app.domain import RunState, save_scenario
from negotiator_app.paths import resource_path
from negotiator_app.storage import Store
from tests.cli.scripted import responder
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.storage.support import small_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake():
    with FakeLMStudio() as server:
        server.responder = responder
        yield server


@pytest.fixture
def scenario(tmp_path) -> Path:
    path = tmp_path / "scenario.json"
    save_scenario(small_config(), path)
    return path


def test_run_stores_prints_and_exports(fake, scenario, tmp_path, capsys):
    db, out_dir = tmp_path / "n.sqlite3", tmp_path / "exports"
    code = main(["run", str(scenario), "--base-url", fake.base_url, "--db", str(db), "--export-dir", str(out_dir)])
    out = capsys.readouterr().out
    assert code == 0
    assert "[room-1 · r1] Pat: Hello all, I need these. Best price?" in out
    assert "[room-1 · r1] offer: Acme 8.00 × 10 (binding)" in out
    assert "skipped: Widget — no_inventory" in out
    assert "decision: accept Acme" in out
    assert "violation (accept_above_max) by Pat" in out
    table = out[out.index("item  "):].splitlines()
    assert table[1] == "Cable      deal     Acme    7.00        10   70.00  2"
    assert table[2].split() == ["Cable", "tie", "no_deal", "5"]
    with Store.open(db) as store:
        (session,) = store.list_sessions()
        assert session.run_count == 2
        runs = store.list_runs(session.id)
        assert {r.state for r in runs} == {RunState.DECIDED, RunState.NO_DEAL}
    run_schema = json.loads(resource_path("schemas", "run_log.schema.json").read_text())
    for path in out_dir.glob("run-*.json"):
        jsonschema.validate(json.loads(path.read_text()), run_schema)
    assert len(list(out_dir.glob("run-*.md"))) == 2 and (out_dir / f"session-{session.id}.json").exists()


def test_sessions_export_import(fake, scenario, tmp_path, capsys):
    db = tmp_path / "n.sqlite3"
    assert main(["run", str(scenario), "--base-url", fake.base_url, "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["sessions", "--db", str(db)]) == 0
    listing = capsys.readouterr().out
    assert "Small shop" in listing and "   1      3        2     2" in listing
    log = tmp_path / "s.json"
    assert main(["export", "1", "--out", str(log), "--db", str(db)]) == 0
    jsonschema.validate(json.loads(log.read_text()),
                        json.loads(resource_path("schemas", "session_log.schema.json").read_text()))
    assert main(["export", "1", "--out", str(tmp_path / "s.md"), "--format", "md", "--db", str(db)]) == 0
    assert "# Small shop" in (tmp_path / "s.md").read_text()
    other = tmp_path / "other.sqlite3"
    assert main(["import", str(log), "--db", str(other)]) == 0
    assert "imported session 1: Small shop (2 run(s))" in capsys.readouterr().out


def test_invalid_import_prints_every_error_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema_version": 1, "kind": "session", "rooms": "none"}))
    db = tmp_path / "n.sqlite3"
    assert main(["import", str(bad), "--db", str(db)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: bad.json cannot be imported") and "nothing was written" in err[0]
    assert any(line.strip().startswith("- rooms:") for line in err)
    assert any(line.strip().startswith("- session:") for line in err)
    with Store.open(db) as store:
        assert store.list_sessions() == []


def test_invalid_scenario_lists_every_error(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    data = small_config().model_dump(mode="json")
    data["buyer"]["items"][0]["max_price"] = 1
    data["sellers"][0]["name"] = ""
    bad.write_text(json.dumps(data))
    assert main(["run", str(bad), "--db", str(tmp_path / "n.sqlite3")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "error: bad.json is not a valid scenario (2 problem(s)):"
    assert len([line for line in err if line.startswith("  - ")]) == 2


def test_unreachable_server_is_one_clear_line(scenario, tmp_path, capsys):
    code = main(["run", str(scenario), "--base-url", "http://127.0.0.1:9/v1", "--db", str(tmp_path / "n.sqlite3")])
    assert code == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "127.0.0.1:9" in err[0]


def _start_cli(scenario: Path, db: Path, base_url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "negotiator_app", "run", str(scenario), "--base-url", base_url, "--db", str(db)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_messages(db: Path, proc: subprocess.Popen, n: int, timeout: float = 60) -> int:
    """Bounded, and generous: a loaded machine starts the CLI slowly. On failure the process is ended and reaped
    (its pipes closed), and what it printed is in the message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with closing(sqlite3.connect(db)) as conn:
                count = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
            if count >= n:
                return count
        except sqlite3.OperationalError:
            pass  # not created yet
        time.sleep(0.05)
    exited = proc.poll()
    if exited is None:
        proc.kill()
    out, err = proc.communicate(timeout=30)
    raise AssertionError(f"fewer than {n} messages stored in time (exit code {exited}):\n{out[-2000:]}\n{err[-2000:]}")


def test_sigkill_mid_run_then_restart_marks_interrupted_and_resumes(fake, scenario, tmp_path, capsys):
    fake.per_token_delay_s = 0.05
    db = tmp_path / "n.sqlite3"
    proc = _start_cli(scenario, db, fake.base_url)
    _wait_for_messages(db, proc, 4)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)  # reaps the process and closes its pipes
    with Store.open(db) as store:  # the next start
        before = {r.run_id: store.load_run(r.run_id) for r in store.list_runs(1)}
        assert {r.state for r in before.values()} <= {RunState.RUNNING, RunState.WAITING}
        interrupted = store.mark_interrupted_runs()
        assert set(interrupted) == set(before)
        stored = sum(len(r.messages) for r in before.values())
        assert stored >= 4
        assert all(m.text for r in before.values() for m in r.messages)
    fake.per_token_delay_s = 0
    for run_id, old in before.items():
        assert main(["resume", run_id, "--db", str(db), "--base-url", fake.base_url]) == 0
        with Store.open(db) as store:
            run = store.load_run(run_id)
        assert run.state in (RunState.DECIDED, RunState.NO_DEAL) and run.resumed_count == 1
        assert run.messages[: len(old.messages)] == old.messages  # the stored transcript is picked up, not redone
        assert len(run.messages) > len(old.messages)
    assert "resuming run" in capsys.readouterr().out


def test_ctrl_c_stops_cleanly_and_keeps_the_partial_message(fake, scenario, tmp_path):
    fake.per_token_delay_s = 0.05
    db = tmp_path / "n.sqlite3"
    proc = _start_cli(scenario, db, fake.base_url)
    _wait_for_messages(db, proc, 2)
    deadline = time.monotonic() + 30
    while fake.in_flight == 0:  # the next reply has begun (under load the engine may still be building it)
        assert time.monotonic() < deadline and proc.poll() is None, "no third reply was asked for"
        time.sleep(0.01)
    time.sleep(0.5)  # mid-stream: a reply takes over a second to stream
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 130, err
    assert "partial messages are stored" in err
    with Store.open(db) as store:
        runs = [store.load_run(r.run_id) for r in store.list_runs(1)]
    assert {r.state for r in runs} == {RunState.STOPPED}
    assert any(m.interrupted and m.text for r in runs for m in r.messages)
