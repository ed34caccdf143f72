"""What the store hands out: pydantic models (never ORM rows) for sessions and runs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field

from ..domain import DisclosureRecord, Message, Offer, Outcome, RunState, SessionConfig, Violation


class SessionSummary(BaseModel):
    id: int
    name: str
    item_count: int
    seller_count: int
    run_count: int
    created_at: datetime
    last_activity: datetime
    experiment_id: int | None = None  # set when the session is an experiment's arm (it stores that arm's runs)
    arm: str | None = None


class StoredSession(BaseModel):
    id: int
    name: str
    config: SessionConfig
    created_at: datetime
    updated_at: datetime
    experiment_id: int | None = None  # set when the session is an experiment's arm
    arm: str | None = None


@dataclass(frozen=True)
class LatestRun:
    """A room's newest run as far as the Resume button needs it: no transcript, no offers."""
    run_id: str
    state: RunState
    owner_id: str | None


class RunSummary(BaseModel):
    run_id: str
    session_id: int
    room_key: str
    item: str
    quantity: int
    state: RunState
    started_at: datetime
    finished_at: datetime | None = None
    rounds: int = 0
    max_rounds: int
    outcome: Outcome | None = None
    model: str = ""
    buyer_mode: str = "ai"
    resumed_count: int = 0
    parse_failures: int = 0
    owner_id: str | None = None  # the process negotiating it while unfinished
    heartbeat_at: datetime | None = None


class RunEvent(BaseModel):
    """A stored decision, parse failure, silent seller or error, in event order."""

    event_seq: int
    kind: str  # decision | parse_failed | seller_silent | error
    round: int | None = None
    agent: str | None = None
    text: str = ""
    detail: str = ""
    at: datetime


class RunRecord(RunSummary):
    """A whole stored run: the transcript, offers over time, violations and notable events."""

    config: SessionConfig
    participants: list[str] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    offers: list[Offer] = Field(default_factory=list)
    violations: list[Violation] = Field(default_factory=list)
    events: list[RunEvent] = Field(default_factory=list)
    last_event_seq: int = 0
    seed: int | None = None
    disclosures: list[DisclosureRecord] = Field(default_factory=list)
    earlier_messages: int = 0  # read with only its newest messages: how many older ones were left out


class Debrief(BaseModel):
    """The AI debrief of one item (`room_key` set, written from `run_id`) or of the session (`room_key` None).

    `unknown_citations` lists the message numbers the text cites that do not exist in the run (for the session
    debrief: in the cited room's run, or in any run when no room is named) — kept in the text, flagged here."""

    room_key: str | None = None
    item: str | None = None
    run_id: str | None = None
    model: str
    created_at: datetime
    text: str
    unknown_citations: list[str] = Field(default_factory=list)

    @property
    def is_session(self) -> bool:
        return self.room_key is None
