"""Strategy-only repetitions are negotiated in memory and stored at once: the same rows as a run recorded live,
and each attempt complete or absent — after a stop, and after a SIGKILL in the middle of the experiment."""
from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest

from negotiator_app.experiments.report import experiment_report, run_row
from negotiator_app.experiments.runner import ExperimentRunner, create_experiment
from negotiator_app.experiments.schedule import ordered_config
from negotiator_app.experiments.spec import load_experiment
from negotiator_app.paths import resource_path
from negotiator_app.runtime import SessionRuntime, client_factory
from negotiator_app.storage import Store
from negotiator_app.storage.experiments import load_experiment as load_stored
from tests.experiments.test_cli import cli, experiment_rows, sigkill_experiment_when

NOBODY = "http://127.0.0.1:9/v1"  # nothing listens here: a request would fail
FINAL = ("decided", "no_deal")


def write(tmp_path, repetitions: int) -> object:
    spec = {"name": "Boulware vs Conceder sellers", "scenario": str(resource_path("scenarios", "classic_negotiators.json")),
            "repetitions": repetitions, "seed": 11, "arms": [
                {"name": "boulware", "sellers": {"strategy": "boulware"}},
                {"name": "conceder", "sellers": {"strategy": "conceder"}}]}
    path = tmp_path / "strategies.json"
    path.write_text(json.dumps(spec))
    return path


def stored_rows(db, run_id: str) -> dict[str, list]:
    """Every row a run owns, in order, without what differs between two negotiations of the same moves: its id,
    its times, and the database's own row ids (messages are named by their seq instead)."""
    with sqlite3.connect(db) as conn:
        def rows(sql: str) -> list:
            return conn.execute(sql, (run_id,)).fetchall()
        return {
            "runs": rows("SELECT room_id, state, item, quantity, buyer_mode, model, max_rounds, rounds, parse_failures,"
                         " last_event_seq, resumed_count, config_json, owner_id, finished_at IS NULL FROM runs"
                         " WHERE id = ?"),
            "participants": rows("SELECT name, role FROM participants WHERE run_id = ? ORDER BY rowid"),
            "messages": rows("SELECT seq, round, sender, role, text, reasoning, typed_by_person, interrupted"
                             " FROM messages WHERE run_id = ? ORDER BY seq"),
            "recipients": rows("SELECT m.seq, r.name FROM message_recipients r JOIN messages m ON m.id = r.message_id"
                               " WHERE r.run_id = ? ORDER BY r.rowid"),
            "productions": rows("SELECT m.seq, p.agent_kind, p.model, p.temperature, p.seed, p.latency_s IS NULL,"
                                " p.failed_attempts, p.fallback FROM message_productions p"
                                " JOIN messages m ON m.id = p.message_id WHERE m.run_id = ? ORDER BY m.seq"),
            "usage": rows("SELECT m.seq, u.prompt_tokens, u.completion_tokens FROM usage u"
                          " JOIN messages m ON m.id = u.message_id WHERE m.run_id = ? ORDER BY m.seq"),
            "offers": rows("SELECT seller, price_per_unit, quantity, round, message_seq, binding FROM offers"
                           " WHERE run_id = ? ORDER BY id"),
            "violations": rows("SELECT kind, agent, attempted, limit_text, round, message_seq FROM violations"
                               " WHERE run_id = ? ORDER BY id"),
            "events": rows("SELECT event_seq, kind, round, agent, text, detail FROM run_events WHERE run_id = ?"
                           " ORDER BY id"),
            "disclosures": rows("SELECT message_seq, agent, round, secret, value, text FROM disclosures"
                                " WHERE run_id = ? ORDER BY id"),
            "outcome": rows("SELECT kind, seller, price_per_unit, quantity, reason FROM outcomes WHERE run_id = ?"),
            "seed": rows("SELECT seed FROM run_seeds WHERE run_id = ?"),
        }


def test_a_repetition_stored_at_once_has_exactly_the_rows_of_the_same_run_recorded_live(tmp_path):
    db = tmp_path / "db.sqlite3"
    with Store.open(db) as store:
        experiment_id = create_experiment(store, load_experiment(write(tmp_path, repetitions=1)))

        async def go():
            result = await ExperimentRunner(store, experiment_id, client_factory(NOBODY)).run()
            assert (result.status, result.done) == ("finished", 2)
            quick = load_stored(store, experiment_id).runs[0]
            # the same repetition again, through a session runtime and its recorder, as a person's run is stored
            config = ordered_config(store.get_session(quick.session_id).config, quick.seller_order)
            runtime = SessionRuntime(store, quick.session_id, client_factory(NOBODY), config=config)
            [room] = runtime.engine.rooms
            await runtime.start(room, seed=quick.seed)
            live = runtime.engine.rooms[room].run_id
            assert await runtime.close()
            return quick.run_ids[0], live

        quick_id, live_id = asyncio.run(go())
    quick_rows, live_rows = stored_rows(db, quick_id), stored_rows(db, live_id)
    assert quick_rows["runs"][0][1] in FINAL and len(quick_rows["messages"]) > 4 and quick_rows["offers"]
    assert quick_rows["productions"] and quick_rows["events"] and quick_rows["seed"]
    assert quick_rows == live_rows


def test_the_report_rows_are_those_of_each_loaded_run(tmp_path):
    with Store.open(tmp_path / "db.sqlite3") as store:
        experiment_id = create_experiment(store, load_experiment(write(tmp_path, repetitions=3)))
        asyncio.run(ExperimentRunner(store, experiment_id, client_factory(NOBODY)).run())
        experiment = load_stored(store, experiment_id)
        expected = [run_row(experiment, run, store.load_run(run_id)) for run in experiment.runs for run_id in run.run_ids]
        assert len(expected) == 6
        assert experiment_report(store, experiment_id).runs == expected


def test_a_stop_keeps_finished_repetitions_and_continue_counts_each_once(tmp_path):
    db = tmp_path / "db.sqlite3"
    with Store.open(db) as store:
        experiment_id = create_experiment(store, load_experiment(write(tmp_path, repetitions=10)))

        async def stopped_after_three():
            runner = ExperimentRunner(store, experiment_id, client_factory(NOBODY), parallel_runs=2)
            runner.on_progress = lambda progress: runner.stop() if progress.done >= 3 else None
            return await runner.run()

        first = asyncio.run(stopped_after_three())
        assert first.status == "stopped" and 3 <= first.done < 20
        before = experiment_rows(db)
        result = asyncio.run(ExperimentRunner(store, experiment_id, client_factory(NOBODY)).run())
        assert (result.status, result.done) == ("finished", 20)
        report = experiment_report(store, experiment_id)
    after = experiment_rows(db)
    cut_short = set()
    for (position, run_ids, attempts, done), again in zip(before, after):
        if done:  # kept as it was, not run again
            assert again == (position, run_ids, attempts, done)
        elif attempts:  # the stop cut this one short: it ran again from the start
            assert again[2:] == (2, True) and again[1] != run_ids
            cut_short |= set(json.loads(run_ids))
    counted = [r.run_id for r in report.runs]
    assert len(counted) == len(set(counted)) == 20
    with sqlite3.connect(db) as conn:
        states = dict(conn.execute("SELECT id, state FROM runs").fetchall())
    assert {states[run_id] for run_id in counted} <= set(FINAL)
    # what a cut-short attempt said is kept, as a stopped run that is not counted (whether the stop caught a
    # repetition under way depends on where the other worker was)
    assert set(states) - set(counted) == cut_short
    assert {states[run_id] for run_id in cut_short} <= {"stopped"}


# Three CLI processes and 120 repetitions: the default 120 s (meant for hangs) is tight on a loaded 2-core machine.
@pytest.mark.timeout(300)
def test_sigkill_mid_strategy_experiment_leaves_only_complete_attempts_and_continue_finishes(tmp_path):
    path = write(tmp_path, repetitions=60)
    db = tmp_path / "db.sqlite3"
    # Killed a moment after a commit, not right after one: repetitions follow each other, so one is under way then.
    sigkill_experiment_when([str(path)], db, lambda rows: sum(row[3] for row in rows) >= 3, "three repetitions done",
                            settle_s=0.2)
    before = experiment_rows(db)
    finished_before = {position: run_ids for position, run_ids, _, done in before if done}
    assert 3 <= len(finished_before) < 120
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("SELECT id, state FROM runs").fetchall())
        finished = {run_id for (run_id,) in conn.execute("SELECT run_id FROM outcomes")}
    # every stored run belongs to a finished repetition and is complete: the killed attempt left nothing behind
    tagged = {run_id for run_ids in finished_before.values() for run_id in json.loads(run_ids)}
    assert set(stored) == tagged == finished
    assert set(stored.values()) <= set(FINAL)
    done = cli("experiment", "continue", "1", "--db", str(db))
    assert done.returncode == 0, done.stderr
    after = experiment_rows(db)
    assert len(after) == 120 and all(row[3] for row in after)
    for position, run_ids, attempts, _ in after:
        assert attempts == 1  # nothing ran twice
        if position in finished_before:
            assert run_ids == finished_before[position]
    document = json.loads(cli("experiment", "report", "1", "--db", str(db), "--format", "json").stdout)
    counted = [r["run_id"] for r in document["runs"]]
    assert len(counted) == len(set(counted)) == 120


def test_a_database_that_refuses_the_attempt_pauses_with_a_clear_message_and_counts_nothing(tmp_path):
    db = tmp_path / "db.sqlite3"
    with Store.open(db) as store:
        experiment_id = create_experiment(store, load_experiment(write(tmp_path, repetitions=2)))
    with Store.open(db, read_only=True) as store:
        result = asyncio.run(ExperimentRunner(store, experiment_id, client_factory(NOBODY)).run())
    assert (result.status, result.done, result.total) == ("paused", 0, 4)
    assert result.message.startswith("Paused: the database cannot store the runs (The database (")
    assert "opened read-only; changes cannot be saved). 0 of 4 runs are done and kept" in result.message
    assert all(row[2:] == (0, 0) for row in experiment_rows(db))
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (0,)


def test_a_room_stopped_before_it_began_leaves_no_run_id_to_tag_the_attempt(tmp_path):
    """A stop that lands before a room's task first runs: nothing was said, so no run row is stored, and the
    attempt must not name a run that does not exist (a stopped experiment listed one under load)."""
    from negotiator_app.engine.limiter import FairLimiter
    from negotiator_app.runtime.quick_run import QuickRun

    spec = load_experiment(write(tmp_path, repetitions=1))
    with Store.open(tmp_path / "db.sqlite3") as store:
        experiment_id = create_experiment(store, spec)
        config = store.get_session(load_stored(store, experiment_id).runs[0].session_id).config
    assert not config.needs_server

    async def stopped_at_once():
        quick = QuickRun(config, client_factory(NOBODY)(config.llm), FairLimiter(1))
        asyncio.get_running_loop().call_soon(quick.stop)  # runs before the rooms' tasks take their first step
        states = await quick.negotiate(seed=1)
        return quick, states

    quick, _states = asyncio.run(stopped_at_once())
    assert quick.events == [] and quick.run_ids == []
