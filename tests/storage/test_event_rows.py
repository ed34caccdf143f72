"""Events to rows: a run's state is written once per batch of events, as the batch's last events leave it."""
from __future__ import annotations

from datetime import timedelta

from negotiator_app.domain import RunState
from negotiator_app.engine import EventBus, RunStarted, StateChanged
from negotiator_app.storage import Store
from negotiator_app.storage.db import sqlite_connection
from negotiator_app.storage.event_rows import EventRows
from tests.storage.support import RUN_CABLES, T0, cable_events, small_config

ROOM = dict(room="room-1", run_id=RUN_CABLES)


def write(store: Store, rows: EventRows, events: list) -> list[str]:
    """Writes `events` in one call; returns the statements that updated the runs table."""
    statements: list[str] = []
    with store.writing() as conn:
        sqlite_connection(conn).set_trace_callback(statements.append)
        rows.write(conn, events)
        sqlite_connection(conn).set_trace_callback(None)
    return [s for s in statements if s.startswith("UPDATE runs")]


def emitted(bus: EventBus, events: list) -> list:
    return [bus.emit(e) for e in events]


def test_a_runs_states_in_one_batch_cost_one_update_and_leave_the_last_state_and_the_highest_round(tmp_path):
    with Store.open(tmp_path / "n.sqlite3") as store:
        rows = EventRows(store.create_session(small_config()).id, small_config)
        bus = EventBus()
        events = emitted(bus, [cable_events()[0]] + [
            StateChanged(**ROOM, state=state, round=round_, at=T0 + timedelta(seconds=i))
            for i, (state, round_) in enumerate([(RunState.RUNNING, 1), (RunState.WAITING, 1), (RunState.RUNNING, 2),
                                                 (RunState.WAITING, 2)])])
        updates = write(store, rows, events)
        assert len(updates) == 1  # four states and the last event number: one statement
        run = store.load_run(RUN_CABLES)
        assert (run.state, run.rounds, run.last_event_seq) == (RunState.WAITING, 2, events[-1].seq)


def test_an_earlier_attempts_end_in_the_same_batch_as_the_resume_does_not_undo_it(tmp_path):
    with Store.open(tmp_path / "n.sqlite3") as store:
        rows = EventRows(store.create_session(small_config()).id, small_config)
        bus = EventBus()
        first = cable_events()[0]
        write(store, rows, emitted(bus, [first, StateChanged(**ROOM, state=RunState.RUNNING, round=1, at=T0)]))
        stopped = StateChanged(**ROOM, state=RunState.STOPPED, round=1, at=T0 + timedelta(seconds=5))
        resumed = RunStarted(**{**{f: getattr(first, f) for f in ("item", "quantity", "sellers", "buyer", "buyer_mode",
                                                                     "max_rounds", "model")}, **ROOM},
                             resumed=True, from_round=2, at=T0 + timedelta(seconds=9))
        write(store, rows, emitted(bus, [stopped, resumed]))
        run = store.load_run(RUN_CABLES)
        assert run.state == RunState.RUNNING and run.finished_at is None  # the resume, not the stop before it
        assert run.rounds == 1 and run.resumed_count == 1
