"""A small hand-checkable session and a scripted run fed through the real bus and recorder."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from negotiator_app.domain import (
    Message, Offer, Outcome, OutcomeKind, Role, RunState, SessionConfig, UsageInfo, Violation, ViolationKind,
)
from negotiator_app.engine import (
    DecisionMade, EventBus, MessageCompleted, OfferMade, ParseFailed, RunFinished, RunStarted, StateChanged,
    TokenDelta, ViolationRecorded,
)
from negotiator_app.storage import Recorder, Store

T0 = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
RUN_CABLES = "c" * 32
RUN_TIES = "d" * 32


def small_config() -> SessionConfig:
    """Pat wants 10 cables (max 8) and 5 ties (max 3); nobody stocks widgets (skipped)."""
    return SessionConfig.model_validate({
        "name": "Small shop",
        "buyer": {"name": "Pat", "items": [
            {"name": "Cable", "quantity": 10, "min_price": 3, "max_price": 8},
            {"name": "Cable tie", "quantity": 5, "min_price": 1, "max_price": 3},
            {"name": "Widget", "quantity": 1, "min_price": 1, "max_price": 2},
        ]},
        "sellers": [
            {"name": "Bolt", "profile": {"priority": "maximize_profit", "speaking_style": "rude"}, "inventory": [
                {"name": "Cable", "cost_price": 2, "least_price": 5, "selling_price": 10, "quantity_available": 20},
                {"name": "Cable tie", "cost_price": 1, "least_price": 1.5, "selling_price": 4, "quantity_available": 50},
            ]},
            {"name": "Acme", "inventory": [
                {"name": "Cable", "cost_price": 2, "least_price": 4, "selling_price": 9, "quantity_available": 20},
            ]},
        ],
        "llm": {"model": "m1", "max_rounds": 5},
    })


def _msg(seq, round_, sender, role, recipients, text, at, *, usage=(0, 0, 0.0, 0.0), **kw) -> Message:
    prompt, completion, ttft, duration = usage
    return Message(seq=seq, round=round_, sender=sender, role=role, recipients=recipients, text=text,
                   created_at=T0 + timedelta(seconds=at), reasoning=kw.pop("reasoning", ""),
                   usage=UsageInfo(prompt_tokens=prompt, completion_tokens=completion, time_to_first_token_s=ttft,
                                   duration_s=duration, tokens_per_s=completion / duration if duration else None),
                   **kw)


def cable_events(run_id: str = RUN_CABLES) -> list:
    """Room 1: Bolt offers 7, Acme tries 3.50 (below its floor 4: violation), then 6; Pat accepts Acme at 6."""
    room, B, S = "room-1", Role.BUYER, Role.SELLER
    both = ["Bolt", "Acme"]
    e = dict(room=room, run_id=run_id)
    offer1 = Offer(seller="Bolt", price_per_unit=7.0, quantity=10, round=1, message_seq=2)
    bad = Offer(seller="Acme", price_per_unit=3.5, quantity=10, round=1, message_seq=3, binding=False)
    good = Offer(seller="Acme", price_per_unit=6.0, quantity=10, round=2, message_seq=5)
    return [
        RunStarted(**e, item="Cable", quantity=10, sellers=both, buyer="Pat", buyer_mode="ai", max_rounds=5,
                   model="m1", at=T0),
        StateChanged(**e, state=RunState.RUNNING, round=1, at=T0),
        TokenDelta(**e, stream_id=1, text="Hel"),
        MessageCompleted(**e, stream_id=1, message=_msg(1, 1, "Pat", B, both, "Hello, best price?", 10,
                                                        usage=(100, 20, 0.5, 2.0), reasoning="think first")),
        MessageCompleted(**e, stream_id=2, message=_msg(2, 1, "Bolt", S, ["Pat"], "7 each.", 20, usage=(80, 10, 0.2, 1.0))),
        OfferMade(**e, offer=offer1),
        ParseFailed(**e, agent="Acme", round=1, reason="no JSON", raw="??", will_retry=True),
        MessageCompleted(**e, stream_id=3, message=_msg(3, 1, "Acme", S, ["Pat"], "3.50!", 30, usage=(80, 10, 0.4, 1.0))),
        OfferMade(**e, offer=bad),
        ViolationRecorded(**e, violation=Violation(kind=ViolationKind.OFFER_BELOW_FLOOR, agent="Acme",
                                                   attempted="offered 3.50 per unit", limit="least price 4.00",
                                                   round=1, message_seq=3)),
        DecisionMade(**e, decision="continue", by="ai", round=1),
        MessageCompleted(**e, stream_id=4, message=_msg(4, 2, "Pat", B, ["Acme"], "@Acme lower?", 40,
                                                        usage=(120, 20, 0.5, 2.0))),
        MessageCompleted(**e, stream_id=5, message=_msg(5, 2, "Acme", S, ["Pat"], "6 then.", 50, usage=(90, 10, 0.2, 1.0))),
        OfferMade(**e, offer=good),
        MessageCompleted(**e, stream_id=6, message=_msg(6, 2, "Pat", B, both, "Deal.", 60, usage=(130, 10, 0.2, 1.0))),
        DecisionMade(**e, decision="accept", by="ai", round=2, seller="Acme", reason="Deal."),
        StateChanged(**e, state=RunState.DECIDED, round=2, at=T0 + timedelta(seconds=90)),
        RunFinished(**e, state=RunState.DECIDED, rounds=2, at=T0 + timedelta(seconds=90),
                    outcome=Outcome(kind=OutcomeKind.DEAL, seller="Acme", price_per_unit=6.0, quantity=10,
                                    reason="accepted Acme's offer of 6.00 per unit")),
    ]


def ties_events(run_id: str = RUN_TIES) -> list:
    """Room 2: Bolt alone; three rounds, the buyer walks away after 30 s."""
    e = dict(room="room-2", run_id=run_id)
    events = [RunStarted(**e, item="Cable tie", quantity=5, sellers=["Bolt"], buyer="Pat", buyer_mode="ai",
                         max_rounds=3, model="m1", at=T0)]
    for r in (1, 2, 3):
        events.append(MessageCompleted(**e, stream_id=2 * r, message=_msg(2 * r - 1, r, "Pat", Role.BUYER, ["Bolt"], "?", r)))
        events.append(MessageCompleted(**e, stream_id=2 * r + 1, message=_msg(2 * r, r, "Bolt", Role.SELLER, ["Pat"], "No.", r)))
    events.append(RunFinished(**e, state=RunState.NO_DEAL, rounds=3, at=T0 + timedelta(seconds=30),
                              outcome=Outcome(kind=OutcomeKind.NO_DEAL, reason="the buyer walked away")))
    return events


def record(store: Store, session_id: int, events: list, config: SessionConfig | None = None) -> Recorder:
    bus = EventBus()
    recorder = Recorder(store, session_id, config)
    bus.subscribe(recorder.handle)
    for event in events:
        bus.emit(event)
    assert recorder.flush_sync(10)
    return recorder


def scripted_session(store: Store) -> int:
    session_id = store.create_session(small_config()).id
    record(store, session_id, cable_events() + ties_events()).close()
    return session_id


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def orphan(path, run_id: str) -> None:
    """Make a stored run look like a crashed process left it: its owner's process no longer exists."""
    import sqlite3

    from negotiator_app.storage.owners import this_process

    conn = sqlite3.connect(path)
    with conn:  # commits; closing (below) checkpoints the WAL now, not whenever the object is collected
        conn.execute("UPDATE runs SET owner_id = ? WHERE id = ?", (f"{this_process().host}|{dead_pid()}|gone", run_id))
    conn.close()
