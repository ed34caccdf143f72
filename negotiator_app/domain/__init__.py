"""Domain model and pure rules: no I/O beyond scenario files, no Qt."""
from .config import (
    MAX_SELLERS,
    Buyer,
    InventoryItem,
    LLMSettings,
    Priority,
    SessionConfig,
    Seller,
    SellerProfile,
    ShoppingItem,
    SpeakingStyle,
)
from .mentions import Mentions, parse_mentions, recipients_for
from .records import (
    MAX_MESSAGE_CHARS,
    BuyerMode,
    Message,
    Offer,
    Outcome,
    OutcomeKind,
    Role,
    RunState,
    UsageInfo,
    Violation,
    ViolationKind,
)
from .rooms import RoomPlan, RoomSeller, SessionPlan, SkippedItem, SkipReason, plan_rooms
from .rules import check_acceptance, check_offer, money
from .scenario import ScenarioError, load_scenario, loads_scenario, parse_config, save_scenario

__all__ = [name for name in dir() if not name.startswith("_")]
