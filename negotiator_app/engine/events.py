"""Every event the engine emits, in one place. Listeners (storage, UI bridge, CLI) subscribe to a bus.

Each event carries the room key, the run id, a per-run sequence number and a timestamp. Token deltas
are frequent and tiny, so events are slotted dataclasses rather than validated models.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..domain import DecidedBy, Decision, Message, Offer, Outcome, RunState, Violation


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True, kw_only=True)
class Event:
    room: str
    run_id: str
    seq: int = 0  # set by the bus: strictly increasing within a run
    at: datetime = field(default_factory=_now)


@dataclass(slots=True, kw_only=True)
class RunStarted(Event):
    """A run begins (or resumes: `resumed` is true and `from_round` is where it picks up)."""

    item: str
    quantity: int
    sellers: list[str]
    buyer: str
    buyer_mode: str
    max_rounds: int
    model: str
    resumed: bool = False
    from_round: int = 0
    seed: int | None = None  # the strategies' seed: the same seed replays the same strategy moves
    agents: dict[str, dict] = field(default_factory=dict)  # who plays whom: kind, model, temperature per name


@dataclass(slots=True, kw_only=True)
class StateChanged(Event):
    state: RunState
    round: int
    detail: str = ""


@dataclass(slots=True, kw_only=True)
class MessageStarted(Event):
    """An agent starts speaking. `stream_id` ties deltas to the message until it is completed."""

    stream_id: int
    sender: str
    role: str
    recipients: list[str]
    round: int


@dataclass(slots=True, kw_only=True)
class TokenDelta(Event):
    stream_id: int
    text: str
    reasoning: bool = False  # hidden reasoning: shown collapsed at most, never fed to other agents


@dataclass(slots=True, kw_only=True)
class MessageCompleted(Event):
    """The finished message (also when interrupted: the partial text is kept and marked)."""

    stream_id: int
    message: Message


@dataclass(slots=True, kw_only=True)
class MessageDiscarded(Event):
    """A streamed reply that could not be read; it is not part of the transcript and is asked again."""

    stream_id: int
    sender: str
    reason: str
    raw: str


@dataclass(slots=True, kw_only=True)
class ParseFailed(Event):
    agent: str
    round: int
    reason: str
    raw: str
    will_retry: bool


@dataclass(slots=True, kw_only=True)
class OfferMade(Event):
    offer: Offer


@dataclass(slots=True, kw_only=True)
class ViolationRecorded(Event):
    violation: Violation


@dataclass(slots=True, kw_only=True)
class DisclosureMade(Event):
    """A message stated one of its sender's private numbers (allowed, but counted: users compare models on it)."""

    agent: str
    round: int
    message_seq: int
    secret: str  # cost | floor | max_price
    value: float
    text: str  # the number as written


@dataclass(slots=True, kw_only=True)
class SellerSilent(Event):
    """A seller did not answer this round (server error, unreadable reply); it is asked again next round."""

    seller: str
    round: int
    reason: str


@dataclass(slots=True, kw_only=True)
class RoundFinished(Event):
    round: int
    standing_offers: list[Offer]


@dataclass(slots=True, kw_only=True)
class DecisionMade(Event):
    """The buyer's decision (or an acceptance the rules refused), and who took it."""

    decision: Decision
    by: DecidedBy
    round: int
    seller: str | None = None
    reason: str = ""


@dataclass(slots=True, kw_only=True)
class RunFinished(Event):
    state: RunState
    outcome: Outcome | None
    rounds: int


@dataclass(slots=True, kw_only=True)
class ErrorRaised(Event):
    """Something a person must know; `fatal` errors end the run in the error state."""

    message: str
    fatal: bool
    agent: str | None = None


@dataclass(slots=True, kw_only=True)
class Waiting(Event):
    """No part of `agent`'s reply has arrived for `seconds`: still waiting for the server (a sign of life;
    repeated while the silence lasts, never stored)."""

    agent: str
    seconds: int
