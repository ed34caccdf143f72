"""Engine events to rows: what is written for each stored event, inside the caller's transaction.

The recorder writes its batches with it as the events come; a strategy-only experiment run writes all of its
events with it at once, when the run ends. Both store exactly the same rows for the same events.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Connection, update

from ..domain import DisclosureRecord, RunState, SessionConfig, plan_rooms
from ..engine.events import (
    DecisionMade, DisclosureMade, ErrorRaised, Event, MessageCompleted, OfferMade, ParseFailed, RoundFinished, RunFinished,
    RunStarted, SellerSilent, StateChanged, ViolationRecorded,
)
from . import runs as rows
from .models import RunEvent
from .owners import this_process
from .schema import runs

# Token deltas and discarded streams are not stored; everything else is.
STORED_EVENTS = (RunStarted, StateChanged, MessageCompleted, OfferMade, ViolationRecorded, ParseFailed, SellerSilent,
          DecisionMade, RoundFinished, RunFinished, ErrorRaised, DisclosureMade)


class EventRows:
    """Writes the events of one session's runs. `config` gives the session's configuration (read once, when a run
    first needs it)."""

    def __init__(self, session_id: int, config: Callable[[], SessionConfig]) -> None:
        self.session_id = session_id
        self._config = config
        self.owns_runs = False  # set once a run was written as this process's: only then is there a heartbeat

    def write(self, conn: Connection, events: Iterable[Event]) -> None:
        """Store `events` in order. A run's existence is checked once per call; its state (with its rounds and end
        time) and its last event number are written once per call, as the call's last events leave them: inside
        one transaction nobody sees the states in between (a run waits for the server and runs again at every
        request), so writing each would only cost time."""
        known: set[str] = set()
        ends: dict[str, _RunEnd] = {}
        for event in events:
            self._apply(conn, event, known, ends)
            end = ends.setdefault(event.run_id, _RunEnd())
            end.seq = max(end.seq, event.seq)
        for run_id, end in ends.items():
            end.write(conn, run_id)

    def _ensure_run(self, conn: Connection, event: Event) -> None:
        """A run can fail before RunStarted (no model): still give its error a run to belong to."""
        if rows.run_exists(conn, event.run_id):
            return
        config = self._config()
        plan = next(r for r in plan_rooms(config).rooms if r.key == event.room)
        rows.insert_run(conn, session_id=self.session_id, room_key=event.room, run_id=event.run_id,
                        item=plan.item.name, quantity=plan.item.quantity, buyer=config.buyer.name,
                        sellers=plan.seller_names, config=config, state=RunState.RUNNING, started_at=event.at,
                        max_rounds=config.llm.max_rounds, owner_id=this_process().id, heartbeat_at=event.at)
        self.owns_runs = True

    def _apply(self, conn: Connection, e: Event, known: set[str], ends: dict[str, _RunEnd]) -> None:
        run_id = e.run_id
        if isinstance(e, RunStarted):
            if run_id in ends:  # an earlier attempt's end in the same call: stored before the run starts again
                ends[run_id].write_state(conn, run_id)
            owner = {"owner_id": this_process().id, "heartbeat_at": e.at}
            self.owns_runs = True
            if rows.run_exists(conn, run_id):  # resumed: the run and its transcript are already stored
                conn.execute(update(runs).where(runs.c.id == run_id).values(
                    state=RunState.RUNNING.value, finished_at=None, model=e.model, resumed_count=runs.c.resumed_count + 1,
                    **owner))
            else:
                rows.insert_run(conn, session_id=self.session_id, room_key=e.room, run_id=run_id, item=e.item,
                                quantity=e.quantity, buyer=e.buyer, sellers=e.sellers, config=self._config(),
                                state=RunState.RUNNING, started_at=e.at, max_rounds=e.max_rounds, model=e.model,
                                buyer_mode=e.buyer_mode, resumed_count=int(e.resumed), **owner)
            rows.set_seed(conn, run_id, e.seed)
            known.add(run_id)
        elif run_id not in known:
            self._ensure_run(conn, e)
            known.add(run_id)
        if isinstance(e, StateChanged):
            ends.setdefault(run_id, _RunEnd()).note_state(e.state, e.round, e.at)
        elif isinstance(e, MessageCompleted):
            rows.insert_message(conn, run_id, e.message)
        elif isinstance(e, OfferMade):
            rows.insert_offer(conn, run_id, e.offer)
        elif isinstance(e, ViolationRecorded):
            rows.insert_violation(conn, run_id, e.violation)
        elif isinstance(e, DisclosureMade):
            rows.insert_disclosure(conn, run_id, DisclosureRecord.model_validate(
                {"agent": e.agent, "round": e.round, "message_seq": e.message_seq, "secret": e.secret,
                 "value": e.value, "text": e.text}))
        elif isinstance(e, ParseFailed):
            conn.execute(update(runs).where(runs.c.id == run_id).values(parse_failures=runs.c.parse_failures + 1))
            _note(conn, e, "parse_failed", e.round, e.agent, e.reason, e.raw)
        elif isinstance(e, SellerSilent):
            _note(conn, e, "seller_silent", e.round, e.seller, e.reason)
        elif isinstance(e, DecisionMade):
            _note(conn, e, "decision", e.round, e.seller, e.decision, rows.event_json(by=e.by, reason=e.reason))
        elif isinstance(e, ErrorRaised):
            _note(conn, e, "error", None, e.agent, e.message, rows.event_json(fatal=e.fatal))
        # RoundFinished only advances last_event_seq: rounds follow StateChanged/RunFinished.
        elif isinstance(e, RunFinished):
            rows.set_outcome(conn, run_id, e.outcome)
            ends.setdefault(run_id, _RunEnd()).note_state(e.state, e.rounds, e.at)


class _RunEnd:
    """What one call leaves a run's row with: its last state (and the highest round with it), its last event."""

    def __init__(self) -> None:
        self.seq = 0
        self.state: RunState | None = None
        self.rounds: int | None = None
        self.at = None

    def note_state(self, state: RunState, rounds: int | None, at) -> None:
        self.state, self.at = state, at
        if rounds is not None:
            self.rounds = rounds if self.rounds is None else max(self.rounds, rounds)

    def write_state(self, conn: Connection, run_id: str) -> None:
        if self.state is not None:
            rows.set_state(conn, run_id, self.state, self.rounds, self.at)
        self.state = self.rounds = None

    def write(self, conn: Connection, run_id: str) -> None:
        if self.state is None:
            rows.bump_seq(conn, run_id, self.seq)
        else:
            rows.set_state(conn, run_id, self.state, self.rounds, self.at, last_event_seq=self.seq)


def _note(conn: Connection, e: Event, kind: str, round_, agent, text: str, detail: str = "") -> None:
    rows.insert_event(conn, e.run_id, RunEvent(event_seq=e.seq, kind=kind, round=round_, agent=agent, text=text,
                                               detail=detail, at=e.at))
