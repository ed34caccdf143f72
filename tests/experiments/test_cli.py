"""`negotiator experiment` in real processes against the fake LM Studio: run, report in every format (checked
against the report's schema), and a SIGKILL in the middle continued with nothing lost and nothing run twice."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from tests.cli.scripted import responder
from tests.experiments.support import write_experiment
from tests.fakes.fake_lmstudio import FakeLMStudio

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 120.0
REPORT_SCHEMA = json.loads((ROOT / "resources" / "schemas" / "experiment_report.schema.json").read_text())


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "negotiator_app", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=WAIT_S, env={**os.environ, "NO_COLOR": "1"})


def experiment_rows(db: Path) -> list[tuple]:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT position, run_ids, attempts, done FROM experiment_runs ORDER BY position").fetchall()
    except sqlite3.OperationalError:
        return []


def sigkill_experiment_when(args: list[str], db: Path, ready, what: str, settle_s: float = 0.0) -> None:
    """Run `negotiator experiment run ARGS` and SIGKILL it once ready(experiment_rows(db)) holds (after `settle_s`
    more, so the kill does not land right after a commit); fails if it ends first or never gets there."""
    proc = subprocess.Popen([sys.executable, "-m", "negotiator_app", "experiment", "run", *args, "--db", str(db)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + WAIT_S
        while not ready(experiment_rows(db)):
            assert proc.poll() is None, "the experiment ended before it could be killed"
            if time.monotonic() > deadline:
                pytest.fail(f"the experiment never got {what}")
            time.sleep(0.01)
        time.sleep(settle_s)
        assert proc.poll() is None, "the experiment ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()


# Six CLI processes in a row: the default 120 s (meant for hangs) is too short for them on a loaded 2-core machine.
@pytest.mark.timeout(360)
def test_run_then_report_as_markdown_json_and_csv(tmp_path):
    with FakeLMStudio() as fake:
        fake.responder = responder
        path = write_experiment(tmp_path, repetitions=2)
        db = tmp_path / "db.sqlite3"
        done = cli("experiment", "run", str(path), "--db", str(db), "--base-url", fake.base_url)
    assert done.returncode == 0, done.stderr
    assert "progress: 4/4 runs done" in done.stdout  # not a terminal: plain lines
    assert "## Per arm" in done.stdout and "| A | fake-model | fake-model | 2 |" in done.stdout
    report = cli("experiment", "report", "1", "--db", str(db), "--format", "json")
    document = json.loads(report.stdout)
    jsonschema.validate(document, REPORT_SCHEMA)
    assert [a["arm"] for a in document["arms"]] == ["A", "B"] and document["done"] == 4
    table = list(csv.DictReader(io.StringIO(cli("experiment", "report", "1", "--db", str(db), "--format", "csv").stdout)))
    assert [(r["arm"], r["repetition"]) for r in table] == [("A", "1"), ("B", "1"), ("A", "2"), ("B", "2")]
    assert {r["run_id"] for r in table} == {r["run_id"] for r in document["runs"]}
    out = tmp_path / "report.md"
    assert cli("experiment", "report", "1", "--db", str(db), "--out", str(out)).returncode == 0
    assert out.read_text().startswith("# Experiment 1: Models compared")
    assert "1  Models compared  4/4 runs done" in cli("experiment", "list", "--db", str(db)).stdout


def test_bad_file_and_unknown_experiment_are_one_clear_message(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "x", "repetitions": 1, "arms": []}))
    done = cli("experiment", "run", str(bad), "--db", str(tmp_path / "db.sqlite3"))
    assert done.returncode == 2 and "bad.json is not a valid experiment" in done.stderr
    assert "Traceback" not in done.stderr
    done = cli("experiment", "report", "9", "--db", str(tmp_path / "db.sqlite3"))
    assert done.returncode == 2 and "there is no experiment 9" in done.stderr


def test_sigkill_mid_experiment_then_continue_loses_nothing_and_runs_nothing_twice(tmp_path):
    with FakeLMStudio(per_token_delay_s=0.02) as fake:
        fake.responder = responder
        path = write_experiment(tmp_path, repetitions=3)
        db = tmp_path / "db.sqlite3"
        sigkill_experiment_when([str(path), "--base-url", fake.base_url], db,
                                lambda rows: sum(r[3] for r in rows) >= 2 and any(r[2] and not r[3] for r in rows),
                                "two runs done and a third under way")
        before = experiment_rows(db)
        finished_before = {pos: run_ids for pos, run_ids, _, done in before if done}
        cut = next(pos for pos, _, attempts, done in before if attempts and not done)
        assert 2 <= len(finished_before) < 6
        done = cli("experiment", "continue", "1", "--db", str(db), "--base-url", fake.base_url)
    assert done.returncode == 0, done.stderr
    after = experiment_rows(db)
    assert all(row[3] for row in after) and len(after) == 6
    for pos, run_ids, attempts, _ in after:
        if pos in finished_before:  # kept as they were: not run again
            assert (run_ids, attempts) == (finished_before[pos], 1)
    assert dict((p, a) for p, _, a, _ in after)[cut] == 2  # the killed run ran again from the start
    document = json.loads(cli("experiment", "report", "1", "--db", str(db), "--format", "json").stdout)
    run_ids = [r["run_id"] for r in document["runs"]]
    assert len(run_ids) == len(set(run_ids)) == 6  # every repetition counted once
    killed = json.loads(dict((p, r) for p, r, _, _ in before)[cut])
    assert not set(killed) & set(run_ids)  # the killed attempt is not counted...
    with sqlite3.connect(db) as conn:  # ...and, if the recorder got to store it, it stays stored as interrupted
        states = conn.execute(f"SELECT state FROM runs WHERE id IN ({','.join('?' * len(killed))})", killed).fetchall()
    assert all(state == ("interrupted",) for state in states)


def test_progress_is_a_redrawn_bar_on_a_terminal_and_plain_lines_otherwise(capsys):
    from negotiator_app.experiments.cli import progress_printer
    from negotiator_app.experiments.runner import Progress

    lines = []
    plain = progress_printer(lines.append, terminal=False)
    plain(Progress(1, 0, 40, 0.0, None))
    plain(Progress(1, 10, 40, 75.0, 225.0, "A #5: done"))
    assert lines == ["progress: 0/40 runs done · elapsed 00:00, about --:-- left",
                     "progress: 10/40 runs done · elapsed 01:15, about 03:45 left · A #5: done"]
    bar = progress_printer(lines.append, terminal=True)
    bar(Progress(1, 10, 40, 3725.0, 60.0))
    assert capsys.readouterr().err == "\r[#######.......................] 10/40 · elapsed 1:02:05, about 01:00 left  "
    assert len(lines) == 2  # the bar goes to the terminal, not into the output
