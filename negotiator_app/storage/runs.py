"""Run rows: reading stored runs back, and the writes that turn engine events into rows."""
from __future__ import annotations

import json
import math

from sqlalchemy import Connection, delete, func, insert, literal_column, select, update

from ..domain import (
    RESUMABLE_STATES, DisclosureRecord, Message, Offer, Outcome, Production, Role, RunState, SessionConfig, UsageInfo,
    Violation,
)
from ..domain.config import STORED
from .models import LatestRun, RunEvent, RunRecord, RunSummary
from .owners import Owner, owner_gone, this_process
from .schema import (
    disclosures, message_productions, message_recipients, messages, offers, outcomes, participants, rooms, run_events,
    run_seeds, runs, usage, violations,
)

UNFINISHED = [s.value for s in RunState if not s.finished]


# ----- writes -------------------------------------------------------------------------------------

def ensure_room(conn: Connection, session_id: int, room_key: str, item: str) -> int:
    found = conn.execute(select(rooms.c.id).where(rooms.c.session_id == session_id, rooms.c.room_key == room_key)
                         ).scalar_one_or_none()
    if found is not None:
        return found
    return conn.execute(insert(rooms).values(session_id=session_id, room_key=room_key, item_name=item)  # type: ignore[index]  # typed Optional; set for every single-row INSERT
                        ).inserted_primary_key[0]


def insert_run(conn: Connection, *, session_id: int, room_key: str, run_id: str, item: str, quantity: int,
               buyer: str, sellers: list[str], config: SessionConfig, state: RunState, started_at, max_rounds: int,
               model: str = "", buyer_mode: str = "ai", **extra) -> None:
    room_id = ensure_room(conn, session_id, room_key, item)
    conn.execute(insert(runs).values(
        id=run_id, room_id=room_id, state=state.value, item=item, quantity=quantity, buyer_mode=buyer_mode,
        model=model, max_rounds=max_rounds, config_json=config.model_dump_json(), started_at=started_at, **extra))
    conn.execute(insert(participants), [{"run_id": run_id, "name": buyer, "role": Role.BUYER.value}]
                 + [{"run_id": run_id, "name": s, "role": Role.SELLER.value} for s in sellers])


def run_exists(conn: Connection, run_id: str) -> bool:
    return conn.execute(select(runs.c.id).where(runs.c.id == run_id)).first() is not None


def set_state(conn: Connection, run_id: str, state: RunState, round_: int | None = None, at=None) -> None:
    values: dict = {"state": state.value}
    if round_ is not None:
        values["rounds"] = func.max(runs.c.rounds, round_)
    values["finished_at"] = at if state.finished else None
    conn.execute(update(runs).where(runs.c.id == run_id).values(**values))


def bump_seq(conn: Connection, run_id: str, seq: int) -> None:
    conn.execute(update(runs).where(runs.c.id == run_id).values(last_event_seq=func.max(runs.c.last_event_seq, seq)))


def insert_message(conn: Connection, run_id: str, m: Message) -> None:
    message_id = conn.execute(insert(messages).values(  # type: ignore[index]  # typed Optional; set for every single-row INSERT
        run_id=run_id, seq=m.seq, round=m.round, sender=m.sender, role=m.role.value, text=m.text,
        reasoning=m.reasoning, typed_by_person=m.typed_by_person, interrupted=m.interrupted, created_at=m.created_at,
    )).inserted_primary_key[0]
    if m.recipients:
        conn.execute(insert(message_recipients),
                     [{"message_id": message_id, "run_id": run_id, "name": r} for r in dict.fromkeys(m.recipients)])
    if m.usage is not None:
        conn.execute(insert(usage).values(message_id=message_id, **m.usage.model_dump()))
    if m.produced_by is not None:
        conn.execute(insert(message_productions).values(message_id=message_id, **m.produced_by.model_dump(mode="json")))


def set_seed(conn: Connection, run_id: str, seed: int | None) -> None:
    if seed is not None:
        conn.execute(delete(run_seeds).where(run_seeds.c.run_id == run_id))
        conn.execute(insert(run_seeds).values(run_id=run_id, seed=seed))


def insert_disclosure(conn: Connection, run_id: str, d: DisclosureRecord) -> None:
    conn.execute(insert(disclosures).values(run_id=run_id, **d.model_dump()))


def insert_offer(conn: Connection, run_id: str, o: Offer) -> None:
    price = o.price_per_unit if math.isfinite(o.price_per_unit) else None  # SQLite would turn NaN into NULL anyway
    conn.execute(insert(offers).values(run_id=run_id, seller=o.seller, price_per_unit=price, quantity=o.quantity,
                                       round=o.round, message_seq=o.message_seq, binding=o.binding))


def insert_violation(conn: Connection, run_id: str, v: Violation) -> None:
    conn.execute(insert(violations).values(run_id=run_id, kind=v.kind.value, agent=v.agent, attempted=v.attempted,
                                           limit_text=v.limit, round=v.round, message_seq=v.message_seq))


def insert_event(conn: Connection, run_id: str, e: RunEvent) -> None:
    conn.execute(insert(run_events).values(run_id=run_id, **e.model_dump()))


def set_outcome(conn: Connection, run_id: str, outcome: Outcome | None) -> None:
    conn.execute(delete(outcomes).where(outcomes.c.run_id == run_id))
    if outcome is not None:
        conn.execute(insert(outcomes).values(run_id=run_id, **outcome.model_dump()))


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
