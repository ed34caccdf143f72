"""JSON log documents (per run and per session): pydantic models that also generate the JSON Schemas."""
from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .. import __version__
from ..domain import (
    MAX_SELLERS, DisclosureRecord, Message, Offer, Outcome, RunState, SessionConfig, Violation, plan_rooms,
)
from ..storage import Debrief, RunEvent, RunRecord, Store
from .metrics import RunMetrics, run_metrics
from .summary import SessionMetrics, session_metrics

# Version 2 added how each message was produced (agent kind, model, temperature, seed, latency, failed
# attempts), the run's strategy seed, disclosures, and who played each agent. Version-1 logs still import.
LOG_SCHEMA_VERSION: Literal[2] = 2
READABLE_LOG_VERSIONS = (1, 2)
# Names as the configuration allows them (checked in full against the session's configuration on import).
PersonNameText = Annotated[str, Field(max_length=50)]
ItemNameText = Annotated[str, Field(max_length=100)]
PRIVATE_NOTE = ("Operator's record: includes every private field (seller cost, floor, priority and style, the "
                "buyer's limits) and hidden reasoning kept apart from the messages. The API key is never included.")


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfferDoc(_Doc):
    seller: PersonNameText
    price_per_unit: float | None = Field(description="null when the model offered a non-finite price")
    quantity: int
    round: int
    message_seq: int
    binding: bool

    def to_offer(self) -> Offer:
        """The stored form: a non-finite price the model offered is kept as NaN (never binding)."""
        return Offer(**{**self.model_dump(), "price_per_unit": math.nan if self.price_per_unit is None
                        else self.price_per_unit})


class Sampling(_Doc):
    temperature: float
    max_tokens: int
    max_rounds: int
    concurrency: int
    context_tokens: int


class RunDoc(_Doc):
    run_id: str
    room_key: str = Field(pattern=r"^room-[1-9][0-9]*$")
    item: ItemNameText
    quantity: int = Field(ge=1)
    state: RunState
    started_at: datetime
    finished_at: datetime | None = None
    rounds: int = Field(ge=0)
    max_rounds: int = Field(ge=1)
    model: str
    buyer_mode: Literal["ai", "person"] = "ai"
    resumed_count: int = Field(default=0, ge=0)
    parse_failures: int = Field(default=0, ge=0)
    config: SessionConfig = Field(description="the configuration this run used, private fields included")
    participants: list[PersonNameText] = Field(max_length=MAX_SELLERS + 1)
    messages: list[Message]
    offers: list[OfferDoc]
    violations: list[Violation]
    events: list[RunEvent]
    seed: int | None = Field(default=None, description="the strategies' seed: the same seed replays the same moves")
    disclosures: list[DisclosureRecord] = Field(
        default_factory=list, description="messages that stated their sender's own private numbers")
    outcome: Outcome | None = None
    metrics: RunMetrics | None = None


class _LogHeader(_Doc):
    schema_version: Literal[1, 2] = LOG_SCHEMA_VERSION
    app_version: str
    exported_at: datetime
    note: str = PRIVATE_NOTE
    server_url: str
    sampling: Sampling


class SessionRef(_Doc):
    id: int
    name: ItemNameText


class RunLog(_LogHeader):
    """A single run of one room."""

    kind: Literal["run"] = "run"
    model: str
    session: SessionRef
    run: RunDoc


class SkippedDoc(_Doc):
    index: int
    item: ItemNameText
    reason: str
    detail: str


class RoomDoc(_Doc):
    room_key: str = Field(pattern=r"^room-[1-9][0-9]*$")
    item: ItemNameText
    runs: list[RunDoc] = Field(description="newest first")


class SessionDoc(_Doc):
    id: int
    name: ItemNameText
    created_at: datetime
    updated_at: datetime
    config: SessionConfig


class DebriefDoc(_Doc):
    """An AI debrief written on request by the local model (its numbers come from the app's metrics)."""

    scope: Literal["session", "item"]
    room_key: str | None = Field(default=None, pattern=r"^room-[1-9][0-9]*$", description="null for the session")
    item: ItemNameText | None = None
    run_id: str | None = Field(default=None, description="the run it was written from; null for the session")
    model: str
    created_at: datetime
    text: str = Field(min_length=1)
    unknown_citations: list[str] = Field(
        default_factory=list, description="message numbers the text cites that do not exist in that run")

    @model_validator(mode="after")
    def _scope_matches(self) -> DebriefDoc:
        item_fields = (self.room_key, self.item, self.run_id)
        if self.scope == "session" and any(v is not None for v in item_fields):
            raise ValueError("a session debrief has no room_key, item or run_id")
        if self.scope == "item" and any(v is None for v in item_fields):
            raise ValueError("an item debrief needs room_key, item and run_id")
        return self


class SessionLog(_LogHeader):
    """A session: its configuration and every stored run of every room."""

    kind: Literal["session"] = "session"
    models: list[str]
    session: SessionDoc
    skipped_items: list[SkippedDoc]
    rooms: list[RoomDoc]
    metrics: SessionMetrics | None = None
    debriefs: list[DebriefDoc] = Field(default_factory=list, description="session debrief first, then per item")


def _sampling(config: SessionConfig) -> Sampling:
    llm = config.llm
    return Sampling(temperature=llm.temperature, max_tokens=llm.max_tokens, max_rounds=llm.max_rounds,
                    concurrency=llm.concurrency, context_tokens=llm.context_tokens)


def run_doc(record: RunRecord) -> RunDoc:
    fields = {k: getattr(record, k) for k in RunDoc.model_fields if k not in ("offers", "metrics")}
    offers = [OfferDoc(**{**o.model_dump(), "price_per_unit": o.price_per_unit if math.isfinite(o.price_per_unit)
                          else None}) for o in record.offers]
    return RunDoc(**fields, offers=offers, metrics=run_metrics(record))


def debrief_doc(debrief: Debrief) -> DebriefDoc:
    return DebriefDoc(scope="session" if debrief.is_session else "item", **debrief.model_dump())


def _dump(doc: BaseModel) -> dict:
    return _finite(doc.model_dump(mode="json"))


def _finite(node):
    """Infinity and NaN become null: strict JSON has no such numbers, and a session stored before prices were
    bounded (a deal at 1e308 per unit totals infinity) must stay exportable."""
    if isinstance(node, float):
        return node if math.isfinite(node) else None
    if isinstance(node, dict):
        return {k: _finite(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_finite(v) for v in node]
    return node


def run_log(store: Store, run_id: str) -> dict:
    record = store.load_run(run_id)
    session = store.get_session(record.session_id)
    return _dump(RunLog(
        app_version=__version__, exported_at=datetime.now(UTC), server_url=record.config.llm.base_url,
        sampling=_sampling(record.config), model=record.model,
        session=SessionRef(id=session.id, name=session.name), run=run_doc(record)))


def session_log(store: Store, session_id: int) -> dict:
    session = store.get_session(session_id)
    plan = plan_rooms(session.config)
    rooms: dict[str, RoomDoc] = {}
    for summary in store.list_runs(session_id):
        doc = run_doc(store.load_run(summary.run_id))
        rooms.setdefault(summary.room_key, RoomDoc(room_key=summary.room_key, item=summary.item, runs=[])).runs.append(doc)
    models = sorted({r.model for room in rooms.values() for r in room.runs if r.model}
                    | {m.produced_by.model for room in rooms.values() for r in room.runs for m in r.messages
                       if m.produced_by and m.produced_by.model})
    return _dump(SessionLog(
        app_version=__version__, exported_at=datetime.now(UTC), server_url=session.config.llm.base_url,
        sampling=_sampling(session.config), models=models,
        session=SessionDoc(id=session.id, name=session.name, created_at=session.created_at,
                           updated_at=session.updated_at, config=session.config),
        skipped_items=[SkippedDoc(index=s.index, item=s.item.name, reason=s.reason.value, detail=s.detail)
                       for s in plan.skipped],
        rooms=[rooms[k] for k in sorted(rooms, key=lambda key: int(key.split("-")[1]))],
        metrics=session_metrics(store, session_id),
        debriefs=[debrief_doc(d) for d in store.load_debriefs(session_id)]))
