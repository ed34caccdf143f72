"""The negotiation engine on plain asyncio: rooms, turns, routing, visibility, offers, decisions, events."""
from ..domain import RunSnapshot
from ..llm import NoModelAvailable
from .bus import EventBus
from .controls import ForceAccept, ForceBuyerDecides, ForceDecision, ForceNoDeal, InputError
from .events import (
    DecisionMade, DisclosureMade, ErrorRaised, Event, MessageCompleted, MessageDiscarded, MessageStarted, OfferMade,
    ParseFailed, RoundFinished, RunFinished, RunStarted, SellerSilent, StateChanged, TokenDelta,
    ViolationRecorded, Waiting,
)
from .limiter import FairLimiter
from .room import RoomRunner
from .session import SessionEngine

__all__ = [
    # running a session
    "SessionEngine", "RoomRunner", "RunSnapshot", "EventBus", "FairLimiter", "NoModelAvailable",
    # what a person can ask of a room
    "ForceAccept", "ForceBuyerDecides", "ForceDecision", "ForceNoDeal", "InputError",
    # events
    "Event", "RunStarted", "StateChanged", "MessageStarted", "TokenDelta", "MessageCompleted", "MessageDiscarded",
    "ParseFailed", "OfferMade", "ViolationRecorded", "SellerSilent", "RoundFinished", "DecisionMade", "RunFinished",
    "ErrorRaised", "DisclosureMade", "Waiting",
]
