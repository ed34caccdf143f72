"""Runs have an owner: two real processes on one database file.

A CLI process negotiates (slowly) against the fake LM Studio while other processes list, resume and run on
the same file: the live run is never marked interrupted nor resumable. Once the owner is killed (-9) — and,
when it is on "another machine" where its pid cannot be checked, once its heartbeat has gone stale — the run
becomes interrupted and another process resumes it.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from negotiator_app.domain import RunState, save_scenario
from negotiator_app.storage import Store
from negotiator_app.storage.owners import HEARTBEAT_ENV, HOST_ENV, STALE_ENV
from tests.cli.scripted import responder
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.storage.support import small_config

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 90.0  # generous: a loaded 2-core machine takes seconds just to start a Python process


@pytest.fixture
def fake():
    with FakeLMStudio(per_token_delay_s=1.0) as server:  # one token a second: the owner is mid-reply for long
        server.responder = responder
        yield server


@pytest.fixture
def scenario(tmp_path) -> Path:
    path = tmp_path / "scenario.json"
    save_scenario(small_config(), path)
    return path


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "negotiator_app", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=WAIT_S, env={**os.environ, **(env or {})})


def start_owner(scenario: Path, db: Path, base_url: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "negotiator_app", "run", str(scenario), "--base-url", base_url,
                             "--db", str(db)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, HEARTBEAT_ENV: "0.2", **env})


def stored_runs(db: Path) -> dict[str, tuple[str, str | None, str | None]]:
    try:
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT id, state, owner_id, heartbeat_at FROM runs").fetchall()
    except sqlite3.OperationalError:
        return {}  # not created yet
    return {run_id: (state, owner, beat) for run_id, state, owner, beat in rows}


def wait_until(predicate, what: str, owner: subprocess.Popen | None = None):
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if owner is not None:
            assert owner.poll() is None, f"the owner exited early ({owner.returncode})"
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {WAIT_S:.0f} s waiting for {what}")


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)


def test_a_live_run_is_never_interrupted_by_another_process_and_a_killed_one_is(fake, scenario, tmp_path):
    db = tmp_path / "n.sqlite3"
    owner = start_owner(scenario, db, fake.base_url)
    try:
        runs = wait_until(lambda: len(stored_runs(db)) == 2 and stored_runs(db), "both runs stored", owner)
        assert all(owner_id and f"|{owner.pid}|" in owner_id for _, owner_id, _ in runs.values())
        run_id = next(iter(runs))

        listing = cli("runs", "1", "--db", str(db))  # a second process opens the database for writing
        assert listing.returncode == 0, listing.stderr
        assert listing.stdout.count(f"(by process {owner.pid} on") == 2  # running or waiting, and whose
        assert "interrupted" not in listing.stdout + listing.stderr and "resumable" not in listing.stdout

        refused = cli("resume", run_id, "--db", str(db), "--base-url", fake.base_url)
        assert refused.returncode == 2
        assert refused.stderr.startswith(f"error: Run {run_id} is being negotiated by process {owner.pid} on")

        other = cli("run", str(scenario), "--db", str(db), "--base-url", "http://127.0.0.1:9/v1")  # its own start-up
        assert other.returncode == 3, other.stderr

        sessions = cli("sessions", "--db", str(db))
        assert "interrupted" not in sessions.stdout and ("running" in sessions.stdout or "waiting" in sessions.stdout)
        assert {state for state, _, _ in stored_runs(db).values()} <= {"running", "waiting_for_server"}
        assert owner.poll() is None
    finally:
        kill(owner)

    listing = cli("runs", "1", "--db", str(db))  # the owner's pid is gone: no need to wait for its heartbeat
    assert "2 run(s) left unfinished by a process that is gone are shown as interrupted" in listing.stderr
    assert listing.stdout.count("interrupted (resumable)") == 2
    fake.per_token_delay_s = 0
    resumed = cli("resume", run_id, "--db", str(db), "--base-url", fake.base_url)
    assert resumed.returncode == 0, resumed.stderr
    with Store.open(db) as store:
        record = store.load_run(run_id)
    assert record.state in (RunState.DECIDED, RunState.NO_DEAL) and record.resumed_count == 1


def test_an_owner_on_another_machine_holds_its_run_until_its_heartbeat_goes_stale(fake, scenario, tmp_path,
                                                                                 monkeypatch):
    db = tmp_path / "n.sqlite3"
    monkeypatch.setenv(STALE_ENV, "5")  # this process checks with a 5 s limit; the owner beats every 0.2 s
    owner = start_owner(scenario, db, fake.base_url, **{HOST_ENV: "another-machine"})
    try:
        first = wait_until(lambda: len(stored_runs(db)) == 2 and stored_runs(db), "both runs stored", owner)
        wait_until(lambda: all(stored_runs(db)[r][2] != beat for r, (_, _, beat) in first.items()),
                   "a heartbeat of both runs", owner)
        with Store.open(db) as store:
            assert store.mark_interrupted_runs() == []  # its pid means nothing here; its heartbeat is fresh
        listing = cli("runs", "1", "--db", str(db), env={STALE_ENV: "5"})
        assert listing.stdout.count("(by process") == 2, listing.stdout + listing.stderr
    finally:
        kill(owner)

    with Store.open(db) as store:
        assert store.mark_interrupted_runs() == []  # just killed: the heartbeat is still fresh
        interrupted = wait_until(store.mark_interrupted_runs, "the heartbeat to go stale")
    assert sorted(interrupted) == sorted(first)
    fake.per_token_delay_s = 0
    resumed = cli("resume", interrupted[0], "--db", str(db), "--base-url", fake.base_url)
    assert resumed.returncode == 0, resumed.stderr
