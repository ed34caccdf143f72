"""Run rows: reading stored runs back, and the writes that turn engine events into rows."""
from __future__ import annotations

import json
import math

from sqlalchemy import Connection, func, literal_column, select, update

from ..domain import (
    RESUMABLE_STATES, DisclosureRecord, Message, Offer, Outcome, Production, Role, RunState, SessionConfig, UsageInfo,
    Violation,
)
from ..domain.config import STORED
from .db import sqlite_connection
from .models import LatestRun, RunEvent, RunRecord, RunSummary
from .owners import Owner, owner_gone, this_process
from .schema import (
    disclosures, message_productions, message_recipients, messages, offers, outcomes, participants, rooms, run_events,
    run_seeds, runs, usage, utc_text, violations,
)

UNFINISHED = [s.value for s in RunState if not s.finished]


# ----- writes -------------------------------------------------------------------------------------

def _sql(conn: Connection):
    # The writes below use fixed SQL on the sqlite3 connection: building a SQLAlchemy statement costs ~50× more
    # than SQLite's insert itself, and a run writes hundreds of them.
    return sqlite_connection(conn)


def ensure_room(conn: Connection, session_id: int, room_key: str, item: str) -> int:
    sql = _sql(conn)
    found = sql.execute("SELECT id FROM rooms WHERE session_id = ? AND room_key = ?", (session_id, room_key)).fetchone()
    if found is not None:
        return found[0]
    inserted = sql.execute("INSERT INTO rooms (session_id, room_key, item_name) VALUES (?, ?, ?)",
                           (session_id, room_key, item)).lastrowid
    assert inserted is not None  # set by every INSERT
    return inserted


# What a new run's row holds unless the caller says otherwise (an imported run brings its own).
_RUN_DEFAULTS: dict = {"rounds": 0, "parse_failures": 0, "last_event_seq": 0, "resumed_count": 0, "finished_at": None,
                       "owner_id": None, "heartbeat_at": None}
_INSERT_RUN = ("INSERT INTO runs (id, room_id, state, item, quantity, buyer_mode, model, max_rounds, config_json, "
               f"started_at, {', '.join(_RUN_DEFAULTS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?{', ?' * len(_RUN_DEFAULTS)})")
_TIMES = ("finished_at", "heartbeat_at")


def insert_run(conn: Connection, *, session_id: int, room_key: str, run_id: str, item: str, quantity: int,
               buyer: str, sellers: list[str], config: SessionConfig, state: RunState, started_at, max_rounds: int,
               model: str = "", buyer_mode: str = "ai", **extra) -> None:
    unknown = set(extra) - set(_RUN_DEFAULTS)
    if unknown:
        raise TypeError(f"insert_run() got unknown run columns: {', '.join(sorted(unknown))}")
    values = {**_RUN_DEFAULTS, **extra}
    for column in _TIMES:
        values[column] = utc_text(values[column])
    room_id = ensure_room(conn, session_id, room_key, item)
    sql = _sql(conn)
    sql.execute(_INSERT_RUN, (run_id, room_id, state.value, item, quantity, str(buyer_mode), model, max_rounds,
                              config.model_dump_json(), utc_text(started_at), *values.values()))
    sql.executemany("INSERT INTO participants (run_id, name, role) VALUES (?, ?, ?)",
                    [(run_id, buyer, Role.BUYER.value)] + [(run_id, name, Role.SELLER.value) for name in sellers])


def run_exists(conn: Connection, run_id: str) -> bool:
    return _sql(conn).execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is not None


def set_state(conn: Connection, run_id: str, state: RunState, round_: int | None = None, at=None, *,
              last_event_seq: int = 0) -> None:
    """The run's state, rounds (never fewer than stored) and end time; its last event number with them, if given."""
    finished_at = utc_text(at) if state.finished else None
    _sql(conn).execute("UPDATE runs SET state = ?, rounds = max(rounds, coalesce(?, rounds)), finished_at = ?, "
                       "last_event_seq = max(last_event_seq, ?) WHERE id = ?",
                       (state.value, round_, finished_at, last_event_seq, run_id))


def bump_seq(conn: Connection, run_id: str, seq: int) -> None:
    _sql(conn).execute("UPDATE runs SET last_event_seq = max(last_event_seq, ?) WHERE id = ?", (seq, run_id))


_USAGE = list(UsageInfo.model_fields)
_PRODUCTION = list(Production.model_fields)
_INSERT_USAGE = f"INSERT INTO usage (message_id, {', '.join(_USAGE)}) VALUES (?{', ?' * len(_USAGE)})"
_INSERT_PRODUCTION = (f"INSERT INTO message_productions (message_id, {', '.join(_PRODUCTION)}) "
                      f"VALUES (?{', ?' * len(_PRODUCTION)})")


def insert_message(conn: Connection, run_id: str, m: Message) -> None:
    sql = _sql(conn)
    message_id = sql.execute(
        "INSERT INTO messages (run_id, seq, round, sender, role, text, reasoning, typed_by_person, interrupted, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (run_id, m.seq, m.round, m.sender, m.role.value, m.text, m.reasoning, int(m.typed_by_person),
         int(m.interrupted), utc_text(m.created_at))).lastrowid
    if m.recipients:
        sql.executemany("INSERT INTO message_recipients (message_id, run_id, name) VALUES (?, ?, ?)",
                        [(message_id, run_id, r) for r in dict.fromkeys(m.recipients)])
    if m.usage is not None:
        used = m.usage
        sql.execute(_INSERT_USAGE, (message_id, *(getattr(used, f) for f in _USAGE)))
    if m.produced_by is not None:
        made = m.produced_by.model_dump(mode="json")
        made["fallback"] = int(made["fallback"])
        sql.execute(_INSERT_PRODUCTION, (message_id, *(made[f] for f in _PRODUCTION)))


def set_seed(conn: Connection, run_id: str, seed: int | None) -> None:
    if seed is not None:
        sql = _sql(conn)
        sql.execute("DELETE FROM run_seeds WHERE run_id = ?", (run_id,))
        sql.execute("INSERT INTO run_seeds (run_id, seed) VALUES (?, ?)", (run_id, seed))


def insert_disclosure(conn: Connection, run_id: str, d: DisclosureRecord) -> None:
    _sql(conn).execute(
        "INSERT INTO disclosures (run_id, message_seq, agent, round, secret, value, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (run_id, d.message_seq, d.agent, d.round, d.secret, d.value, d.text))


def insert_offer(conn: Connection, run_id: str, o: Offer) -> None:
    price = o.price_per_unit if math.isfinite(o.price_per_unit) else None  # SQLite would turn NaN into NULL anyway
    _sql(conn).execute(
        "INSERT INTO offers (run_id, seller, price_per_unit, quantity, round, message_seq, binding) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", (run_id, o.seller, price, o.quantity, o.round, o.message_seq, int(o.binding)))


def insert_violation(conn: Connection, run_id: str, v: Violation) -> None:
    _sql(conn).execute(
        "INSERT INTO violations (run_id, kind, agent, attempted, limit_text, round, message_seq) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", (run_id, v.kind.value, v.agent, v.attempted, v.limit, v.round, v.message_seq))


def insert_event(conn: Connection, run_id: str, e: RunEvent) -> None:
    _sql(conn).execute(
        "INSERT INTO run_events (run_id, event_seq, kind, round, agent, text, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (run_id, e.event_seq, e.kind, e.round, e.agent, e.text, e.detail, utc_text(e.at)))


def set_outcome(conn: Connection, run_id: str, outcome: Outcome | None) -> None:
    sql = _sql(conn)
    sql.execute("DELETE FROM outcomes WHERE run_id = ?", (run_id,))
    if outcome is not None:
        sql.execute("INSERT INTO outcomes (run_id, kind, seller, price_per_unit, quantity, reason) "
                    "VALUES (?, ?, ?, ?, ?, ?)", (run_id, outcome.kind.value, outcome.seller, outcome.price_per_unit,
                                                  outcome.quantity, outcome.reason))


class RunOwnedElsewhere(Exception):
    """The run is being negotiated by another live process: it cannot be resumed or marked interrupted."""

    def __init__(self, run_id: str, owner_id: str | None) -> None:
        owner = Owner.parse(owner_id)
        who = owner.describe() if owner else "another window or command"
        self.user_message = (f"Run {run_id} is being negotiated by {who} on the same database. Stop it there "
                             f"(or wait for it to end) before resuming it here.")
        super().__init__(self.user_message)


def mark_interrupted(conn: Connection, now=None) -> list[str]:
    """Unfinished runs whose owner is gone (crashed, killed, silent too long) become interrupted."""
    rows = conn.execute(select(runs.c.id, runs.c.owner_id, runs.c.heartbeat_at)
                        .where(runs.c.state.in_(UNFINISHED))).all()
    ids = [run_id for run_id, owner_id, beat in rows if owner_gone(owner_id, beat, now)]
    if ids:
        conn.execute(update(runs).where(runs.c.id.in_(ids)).values(state=RunState.INTERRUPTED.value, owner_id=None))
    return ids


def crash_left(conn: Connection, now=None) -> dict[str, tuple[int, RunState]]:
    """What mark_interrupted would mark, without writing: run id → (session id, stored state)."""
    rows = conn.execute(select(runs.c.id, rooms.c.session_id, runs.c.state, runs.c.owner_id, runs.c.heartbeat_at)
                        .join(rooms).where(runs.c.state.in_(UNFINISHED))).all()
    return {r.id: (r.session_id, RunState(r.state)) for r in rows if owner_gone(r.owner_id, r.heartbeat_at, now)}


def claim(conn: Connection, run_id: str, at) -> None:
    """Make this process the run's owner before resuming it; refused while another live process owns it."""
    row = conn.execute(select(runs.c.state, runs.c.owner_id, runs.c.heartbeat_at).where(runs.c.id == run_id)).first()
    if row is None:
        return  # never stored (it failed before its first event): nothing to take over
    state, owner_id, beat = RunState(row.state), row.owner_id, row.heartbeat_at
    mine = Owner.parse(owner_id) == this_process()
    if state not in RESUMABLE_STATES and not state.finished and not mine and not owner_gone(owner_id, beat, at):
        raise RunOwnedElsewhere(run_id, owner_id)
    conn.execute(update(runs).where(runs.c.id == run_id).values(owner_id=this_process().id, heartbeat_at=at))


def own(conn: Connection, run_id: str, at) -> None:
    conn.execute(update(runs).where(runs.c.id == run_id).values(owner_id=this_process().id, heartbeat_at=at))


def beat(conn: Connection, at) -> int:
    """Refresh the heartbeat of every unfinished run this process owns; returns how many."""
    return conn.execute(update(runs).where(runs.c.owner_id == this_process().id, runs.c.state.in_(UNFINISHED))
                        .values(heartbeat_at=at)).rowcount


def state_counts(conn: Connection) -> dict[int, dict[RunState, int]]:
    """Per session: how many runs are in each state."""
    found: dict[int, dict[RunState, int]] = {}
    query = (select(rooms.c.session_id, runs.c.state, func.count()).join(rooms)
             .group_by(rooms.c.session_id, runs.c.state))
    for session_id, state, n in conn.execute(query):
        found.setdefault(session_id, {})[RunState(state)] = n
    return found


# ----- reads --------------------------------------------------------------------------------------

def latest_states(conn: Connection, session_id: int) -> dict[str, LatestRun]:
    """Per room of the session: its newest run's id, state and owner, in one SELECT (no transcript)."""
    newest = (select(runs.c.id, runs.c.state, runs.c.owner_id, rooms.c.room_key,
                     func.row_number().over(partition_by=runs.c.room_id,
                                            order_by=(runs.c.started_at.desc(), runs.c.id)).label("n"))
              .join(rooms).where(rooms.c.session_id == session_id).subquery())
    rows = conn.execute(select(newest.c.room_key, newest.c.id, newest.c.state, newest.c.owner_id)
                        .where(newest.c.n == 1)).all()
    return {key: LatestRun(run_id, RunState(state), owner) for key, run_id, state, owner in rows}


def _summary_query():
    return select(runs, rooms.c.session_id, rooms.c.room_key).join(rooms)


def _outcomes_for(conn: Connection, run_ids: list[str]) -> dict[str, Outcome]:
    rows = conn.execute(select(outcomes).where(outcomes.c.run_id.in_(run_ids))).mappings()
    return {r["run_id"]: Outcome(**{k: v for k, v in r.items() if k != "run_id"}) for r in rows}


def _summary(row, outcome: Outcome | None) -> dict:
    return dict(
        run_id=row["id"], session_id=row["session_id"], room_key=row["room_key"], item=row["item"],
        quantity=row["quantity"], state=RunState(row["state"]), started_at=row["started_at"],
        finished_at=row["finished_at"], rounds=row["rounds"], max_rounds=row["max_rounds"], outcome=outcome,
        model=row["model"], buyer_mode=row["buyer_mode"], resumed_count=row["resumed_count"],
        parse_failures=row["parse_failures"], owner_id=row["owner_id"], heartbeat_at=row["heartbeat_at"],
    )


def list_runs(conn: Connection, session_id: int, room_key: str | None = None) -> list[RunSummary]:
    query = _summary_query().where(rooms.c.session_id == session_id)
    if room_key is not None:
        query = query.where(rooms.c.room_key == room_key)
    rows = conn.execute(query.order_by(runs.c.started_at.desc(), runs.c.id)).mappings().all()
    found = _outcomes_for(conn, [r["id"] for r in rows])
    return [RunSummary(**_summary(r, found.get(r["id"]))) for r in rows]


def load_run(conn: Connection, run_id: str, last_messages: int | None = None) -> RunRecord:
    """The whole run; with `last_messages`, only its newest messages (`earlier_messages` counts the rest), so a
    window opening a long run reads what it shows, not thousands of messages it may never show."""
    row = conn.execute(_summary_query().where(runs.c.id == run_id)).mappings().first()
    if row is None:
        raise KeyError(run_id)
    found = _outcomes_for(conn, [run_id])
    shown = _messages(conn, run_id, limit=last_messages)
    earlier = 0 if last_messages is None or not shown else conn.execute(
        select(func.count()).select_from(messages)
        .where(messages.c.run_id == run_id, messages.c.seq < shown[0].seq)).scalar_one()
    return RunRecord(
        earlier_messages=earlier,
        **_summary(row, found.get(run_id)), config=SessionConfig.model_validate_json(row["config_json"], context=STORED),
        participants=list(conn.execute(select(participants.c.name).where(participants.c.run_id == run_id)
                                       .order_by(literal_column("participants.rowid"))).scalars()),
        messages=shown,
        offers=[Offer(seller=r["seller"], price_per_unit=math.nan if r["price_per_unit"] is None else r["price_per_unit"],
                      quantity=r["quantity"], round=r["round"], message_seq=r["message_seq"], binding=r["binding"])
                for r in conn.execute(select(offers).where(offers.c.run_id == run_id).order_by(offers.c.id)).mappings()],
        violations=[Violation(kind=r["kind"], agent=r["agent"], attempted=r["attempted"], limit=r["limit_text"],
                              round=r["round"], message_seq=r["message_seq"])
                    for r in conn.execute(select(violations).where(violations.c.run_id == run_id)
                                          .order_by(violations.c.id)).mappings()],
        events=[RunEvent(**{k: r[k] for k in RunEvent.model_fields})
                for r in conn.execute(select(run_events).where(run_events.c.run_id == run_id)
                                      .order_by(run_events.c.event_seq, run_events.c.id)).mappings()],
        last_event_seq=row["last_event_seq"],
        seed=conn.execute(select(run_seeds.c.seed).where(run_seeds.c.run_id == run_id)).scalar_one_or_none(),
        disclosures=[DisclosureRecord(**{k: r[k] for k in DisclosureRecord.model_fields})
                     for r in conn.execute(select(disclosures).where(disclosures.c.run_id == run_id)
                                           .order_by(disclosures.c.id)).mappings()],
    )


def load_messages(conn: Connection, run_id: str, before_seq: int, limit: int) -> list[Message]:
    """The newest `limit` messages of the run older than `before_seq`, oldest first (paging back in a run)."""
    return _messages(conn, run_id, before_seq=before_seq, limit=limit)


def _messages(conn: Connection, run_id: str, before_seq: int | None = None, limit: int | None = None) -> list[Message]:
    """The run's messages in order; with `limit`, only the newest ones (before `before_seq` when given)."""
    made = [c.label(f"made_{c.name}") for c in message_productions.c if c.name != "message_id"]
    query = (select(messages, *[c for c in usage.c if c.name != "message_id"], *made)
             .outerjoin(usage, usage.c.message_id == messages.c.id)
             .outerjoin(message_productions, message_productions.c.message_id == messages.c.id)
             .where(messages.c.run_id == run_id))
    if before_seq is not None:
        query = query.where(messages.c.seq < before_seq)
    if limit is None:
        rows = conn.execute(query.order_by(messages.c.seq)).mappings().all()
    else:
        rows = conn.execute(query.order_by(messages.c.seq.desc()).limit(limit)).mappings().all()[::-1]
    named = select(message_recipients.c.message_id, message_recipients.c.name).where(
        message_recipients.c.run_id == run_id)
    if limit is not None:
        named = named.where(message_recipients.c.message_id.in_([r["id"] for r in rows]))
    recipients: dict[int, list[str]] = {}
    for mid, name in conn.execute(named.order_by(literal_column("message_recipients.rowid"))):
        recipients.setdefault(mid, []).append(name)
    usage_fields = list(UsageInfo.model_fields)
    out = []
    for r in rows:
        has_usage = any(r[f] is not None for f in usage_fields)
        out.append(Message(
            seq=r["seq"], round=r["round"], sender=r["sender"], role=r["role"], recipients=recipients.get(r["id"], []),
            text=r["text"], reasoning=r["reasoning"], typed_by_person=r["typed_by_person"],
            interrupted=r["interrupted"], created_at=r["created_at"],
            usage=UsageInfo(**{f: r[f] for f in usage_fields}) if has_usage else None,
            produced_by=Production(**{f: r[f"made_{f}"] for f in Production.model_fields})
            if r["made_agent_kind"] is not None else None,
        ))
    return out


def event_json(**fields) -> str:
    return json.dumps(fields, ensure_ascii=False)
