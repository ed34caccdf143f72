"""Finding runs from the command line: run ids printed at the start of `run`, `runs SESSION_ID`, the run-state
column of `sessions`, and crash-left runs shown as interrupted (resumable) by the commands that only read, which
leave the file as it is."""
from __future__ import annotations

import pytest

from negotiator_app.cli import main
from negotiator_app.domain import RunState, save_scenario
from negotiator_app.storage import Store
from tests.cli.scripted import responder
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.storage.support import RUN_CABLES, cable_events, orphan, record, small_config


@pytest.fixture
def fake():
    with FakeLMStudio() as server:
        server.responder = responder
        yield server


def test_run_prints_its_run_ids_before_negotiating_and_runs_lists_them(fake, tmp_path, capsys):
    scenario, db = tmp_path / "s.json", tmp_path / "n.sqlite3"
    save_scenario(small_config(), scenario)
    assert main(["run", str(scenario), "--base-url", fake.base_url, "--db", str(db)]) == 0
    out = capsys.readouterr().out.splitlines()
    with Store.open(db) as store:
        stored = {r.room_key: r for r in store.list_runs(1)}
    first_message = next(i for i, line in enumerate(out) if line.startswith("[room-"))
    assert out[2:first_message] == [f"run {stored['room-1'].run_id}: room-1 · Cable",
                                    f"run {stored['room-2'].run_id}: room-2 · Cable tie"]

    assert main(["runs", "1", "--db", str(db)]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0] == "session 1: Small shop — 2 run(s)"
    assert listing[1].split() == ["id", "room", "item", "state", "rounds", "outcome"]
    rows = {line.split()[0]: line for line in listing[2:]}
    assert rows[stored["room-1"].run_id].split() == [
        stored["room-1"].run_id, "room-1", "Cable", "decided", "2", "deal:", "Acme", "7.00", "×", "10"]
    assert rows[stored["room-2"].run_id].split()[1:5] == ["room-2", "Cable", "tie", "no_deal"]

    assert main(["sessions", "--db", str(db)]) == 0
    sessions = capsys.readouterr().out.splitlines()
    assert "run states" in sessions[0] and "1 decided, 1 no deal" in sessions[1]


def test_reading_commands_list_the_runs_a_crash_left_as_resumable_without_writing(tmp_path, capsys):
    db = tmp_path / "n.sqlite3"
    with Store.open(db) as store:
        session_id = store.create_session(small_config()).id
        record(store, session_id, cable_events()[:9]).close()  # a run cut short...
    orphan(db, RUN_CABLES)  # ...by a process that is gone
    assert main(["sessions", "--db", str(db)]) == 0
    captured = capsys.readouterr()
    assert "1 run(s) left unfinished by a process that is gone are shown as interrupted" in captured.err
    assert "1 interrupted" in captured.out
    assert main(["runs", str(session_id), "--db", str(db)]) == 0
    assert f"{RUN_CABLES}  room-1  Cable  interrupted (resumable)  1" in capsys.readouterr().out
    with Store.open(db, read_only=True) as store:
        assert store.crash_left_runs() == {RUN_CABLES: (session_id, RunState.RUNNING)}  # stored as it was


def test_runs_of_an_unknown_session_says_how_to_find_one(tmp_path, capsys):
    Store.open(tmp_path / "n.sqlite3").close()
    assert main(["runs", "7", "--db", str(tmp_path / "n.sqlite3")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: no session 7 in") and "negotiator sessions" in err[0]
