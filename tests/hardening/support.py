"""End-to-end harness: the session runtime (engine, client, recorder, SQLite file) against the fake LM Studio.

`Harness` opens one session through `SessionRuntime`, exactly as the window and the CLI do (bus → recorder →
Store on a file in tmp_path; a storage failure pauses the rooms until writes work again). The checks at the
bottom are what every hardening test asserts after a fault: the rules held, and everything the engine said
is in the database.
"""
from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from pathlib import Path

from negotiator_app.domain import OutcomeKind, RunState, SessionConfig
from negotiator_app.engine import ErrorRaised, Event
from negotiator_app.engine.room import RoomRunner
from negotiator_app.llm import LLMClient
from negotiator_app.runtime import SessionRuntime, StorageFailed, StorageRecovered
from negotiator_app.storage import StorageError, Store


@dataclass
class Harness:
    runtime: SessionRuntime
    events: list[Event] = field(default_factory=list)
    storage_errors: list[StorageError] = field(default_factory=list)
    recoveries: int = 0

    @classmethod
    async def open(cls, base_url: str, config: SessionConfig, db: Path, *, read_timeout: float = 5.0,
                   max_retries: int = 1, model: str | None = None, store: Store | None = None) -> Harness:
        store = store or Store.open(db)
        session_id = store.create_session(config).id

        def client(_llm) -> LLMClient:
            return LLMClient(base_url, connect_timeout=1.0, read_timeout=read_timeout, max_retries=max_retries,
                             backoff_s=0.01)

        runtime = SessionRuntime(store, session_id, client, model=model, recorder_retry_delays=(0.02,))
        for room in runtime.engine.rooms.values():
            room.retry_delays = (0.01, 0.01)
        h = cls(runtime)
        runtime.subscribe(h._hear)
        return h

    def _hear(self, item) -> None:
        if isinstance(item, Event):
            self.events.append(item)
        elif isinstance(item, StorageFailed):
            self.storage_errors.append(item.error)
        elif isinstance(item, StorageRecovered):
            self.recoveries += 1

    store = property(lambda self: self.runtime.store)
    session_id = property(lambda self: self.runtime.session_id)
    config = property(lambda self: self.runtime.config)
    client = property(lambda self: self.runtime.client)
    bus = property(lambda self: self.runtime.bus)
    recorder = property(lambda self: self.runtime.recorder)
    engine = property(lambda self: self.runtime.engine)

    @property
    def room(self) -> RoomRunner:
        return next(iter(self.engine.rooms.values()))

    async def run_all(self, timeout: float = 30.0) -> list[RunState]:
        return await asyncio.wait_for(asyncio.gather(*self.runtime.start_all()), timeout)

    async def close(self, *, close_store: bool = True) -> None:
        assert await self.runtime.close(timeout=10.0), "the recorder could not store everything"
        if close_store:
            self.store.close()

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    def fatal_errors(self) -> list[str]:
        return [e.message for e in self.of(ErrorRaised) if e.fatal]


def assert_rules_hold(room: RoomRunner) -> None:
    """Whatever the models said: binding offers are within limits, a deal is on a standing binding offer
    of a room seller at ≤ max for the quantity needed, and every non-binding offer has its violation."""
    item = room.plan.item
    for offer in room.offer_history:
        seller = room.plan.seller(offer.seller)
        assert seller is not None, f"an offer from {offer.seller!r}, who is not in the room"
        within = (math.isfinite(offer.price_per_unit) and seller.stock.least_price <= offer.price_per_unit
                  <= seller.stock.selling_price and 1 <= offer.quantity <= seller.stock.quantity_available)
        assert offer.binding == within, offer
        if not offer.binding:
            assert any(v.agent == offer.seller and v.message_seq == offer.message_seq for v in room.violations), offer
    outcome = room.outcome
    if outcome is not None and outcome.kind == OutcomeKind.DEAL:
        assert room.state == RunState.DECIDED
        made = [o for o in room.offer_history if o.binding and o.seller == outcome.seller
                and o.price_per_unit == outcome.price_per_unit]
        assert made, "a deal on an offer nobody made"
        assert outcome.price_per_unit <= item.max_price
        assert made[-1].quantity >= item.quantity and outcome.quantity == item.quantity


def assert_everything_stored(store: Store, room: RoomRunner) -> None:
    """The database holds exactly what the engine said: transcript, offers, violations, state, outcome."""
    record = store.load_run(room.run_id)

    def msg(m):
        return (m.seq, m.round, m.sender, m.role, m.text, m.interrupted, tuple(m.recipients))

    assert [msg(m) for m in record.messages] == [msg(m) for m in room.transcript]

    def offer(o):
        return (o.seller, None if math.isnan(o.price_per_unit) else o.price_per_unit, o.quantity, o.round,
                o.message_seq, o.binding)

    assert [offer(o) for o in record.offers] == [offer(o) for o in room.offer_history]
    assert [(v.kind, v.agent, v.message_seq) for v in record.violations] == \
        [(v.kind, v.agent, v.message_seq) for v in room.violations]
    assert record.state == room.state
    assert record.outcome == room.outcome
