"""The states and choices of a run as plain enums: the window's first paint needs them (its state icons), and
they must not pull in pydantic and the domain's models, which load only once a session is opened."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"


class RunState(StrEnum):
    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    WAITING = "waiting_for_server"
    AWAITING_PERSON = "awaiting_person"
    DECIDED = "decided"
    NO_DEAL = "no_deal"
    STOPPED = "stopped"
    INTERRUPTED = "interrupted"
    ERROR = "error"

    @property
    def finished(self) -> bool:
        return self in FINISHED_STATES


# A run that ended without a decision (stopped, left by a crash, or failed) can be picked up again.
RESUMABLE_STATES = frozenset({RunState.STOPPED, RunState.INTERRUPTED, RunState.ERROR})
FINISHED_STATES = frozenset({RunState.DECIDED, RunState.NO_DEAL, *RESUMABLE_STATES})


class BuyerMode(StrEnum):
    AI = "ai"
    PERSON = "person"


class Decision(StrEnum):
    """What the buyer decides at the end of a round; REFUSED records an acceptance the rules turned down."""

    CONTINUE = "continue"
    ACCEPT = "accept"
    WALK_AWAY = "walk_away"
    REFUSED = "refused"


class DecidedBy(StrEnum):
    """Who took a decision: the buyer's model, the person typing as the buyer, or the person forcing an end."""

    AI = "ai"
    PERSON = "person"
    FORCED = "forced"
