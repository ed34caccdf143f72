"""What happens in a run: messages, offers, violations and outcomes (the run states are in `states`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from .agents import AgentKind
from .states import Role

MAX_MESSAGE_CHARS = 1000


class UsageInfo(BaseModel):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    time_to_first_token_s: float | None = None
    duration_s: float | None = None
    tokens_per_s: float | None = None


class Production(BaseModel):
    """How a message was produced: by which kind of agent, model and temperature (model agents), seed
    (strategy agents), how long it took, and how many attempts were thrown away before it."""

    agent_kind: AgentKind = AgentKind.LLM
    model: str | None = None
    temperature: float | None = None
    seed: int | None = None
    latency_s: float | None = Field(default=None, ge=0)
    failed_attempts: int = Field(default=0, ge=0)
    fallback: bool = Field(default=False, description="a hybrid agent's model did not keep to the strategy's "
                                                      "price, so the strategy's own words were sent")


class Message(BaseModel):
    """One chat message. `recipients` are the sellers who may see it (all room sellers for a broadcast)."""

    seq: int
    round: int
    sender: str
    role: Role
    recipients: list[str]
    text: str
    reasoning: str = ""
    typed_by_person: bool = False
    interrupted: bool = False
    created_at: datetime
    usage: UsageInfo | None = None
    produced_by: Production | None = Field(default=None, description="null for a message typed by a person")


class Offer(BaseModel):
    """A seller's offer: binding only when it respects its floor, ask and stock."""

    seller: str
    price_per_unit: float
    quantity: int
    round: int
    message_seq: int
    binding: bool = True


class ViolationKind(StrEnum):
    OFFER_BELOW_FLOOR = "offer_below_floor"
    OFFER_ABOVE_ASK = "offer_above_ask"
    OFFER_EXCEEDS_STOCK = "offer_exceeds_stock"
    OFFER_INVALID_QUANTITY = "offer_invalid_quantity"
    OFFER_INVALID_PRICE = "offer_invalid_price"
    ACCEPT_UNKNOWN_SELLER = "accept_unknown_seller"
    ACCEPT_NO_OFFER = "accept_no_offer"
    ACCEPT_ABOVE_MAX = "accept_above_max"
    ACCEPT_INSUFFICIENT_QUANTITY = "accept_insufficient_quantity"


class Violation(BaseModel):
    """A rule an agent tried to break; recorded and shown, never binding, never clamped."""

    kind: ViolationKind
    agent: str
    attempted: str
    limit: str
    round: int
    message_seq: int | None = None


class DisclosureRecord(BaseModel):
    """A message that stated its sender's own private number (a seller's cost or floor, the buyer's max price).
    Allowed, not a violation; counted so that agents can be compared on it."""

    agent: str
    round: int
    message_seq: int
    secret: Literal["cost", "floor", "max_price"]
    value: float
    text: str = Field(description="the number as written in the message")


class OutcomeKind(StrEnum):
    DEAL = "deal"
    NO_DEAL = "no_deal"


class Outcome(BaseModel):
    kind: OutcomeKind
    seller: str | None = None
    price_per_unit: float | None = None
    quantity: int | None = None
    reason: str = Field(default="", max_length=500)

    @property
    def total(self) -> float | None:
        if self.price_per_unit is None or self.quantity is None:
            return None
        return round(self.price_per_unit * self.quantity, 2)


@dataclass
class RunSnapshot:
    """A stored run to pick up again (interrupted, stopped by a crash, or ended in error)."""

    run_id: str
    messages: list[Message]
    offers: list[Offer] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    last_event_seq: int = 0
    seed: int | None = None  # the strategies' seed, so a resumed run goes on as it would have
