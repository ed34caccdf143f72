"""The negotiation engine on plain asyncio: rooms, turns, routing, visibility, offers, decisions, events."""
from .bus import EventBus
from .controls import ForceAccept, ForceBuyerDecides, ForceDecision, ForceNoDeal, InputError
from .events import (
    DecisionMade, ErrorRaised, Event, MessageCompleted, MessageDiscarded, MessageStarted, OfferMade,
    ParseFailed, RoundFinished, RunFinished, RunStarted, SellerSilent, StateChanged, TokenDelta,
    ViolationRecorded,
)
from .limiter import FairLimiter
from .room import RoomRunner, RunSnapshot
from .session import NoModelAvailable, SessionEngine

__all__ = [name for name in dir() if not name.startswith("_")]
