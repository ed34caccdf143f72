"""Domain model and pure rules: no I/O beyond scenario files, no Qt."""
from .agents import DEFAULT_EXPONENT, AgentConfig, AgentKind, StrategyConfig, StrategyKind, describe_agent
from .config import (
    MAX_PRICE,
    MAX_QUANTITY,
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
    FINISHED_STATES,
    MAX_MESSAGE_CHARS,
    RESUMABLE_STATES,
    BuyerMode,
    DecidedBy,
    Decision,
    DisclosureRecord,
    Message,
    Offer,
    Outcome,
    OutcomeKind,
    Production,
    Role,
    RunSnapshot,
    RunState,
    UsageInfo,
    Violation,
    ViolationKind,
)
from .rooms import RoomPlan, RoomSeller, SessionPlan, SkippedItem, SkipReason, plan_rooms
from .rules import check_acceptance, check_offer, money, percent, percent_points, saving_points
from .scenario import ScenarioError, load_scenario, loads_scenario, parse_config, save_scenario

__all__ = [
    # configuration
    "DEFAULT_EXPONENT", "AgentConfig", "AgentKind", "StrategyConfig", "StrategyKind", "describe_agent",
    "MAX_SELLERS", "Buyer", "InventoryItem", "LLMSettings", "Priority", "SessionConfig", "Seller",
    "SellerProfile", "ShoppingItem", "SpeakingStyle",
    # what happens in a run
    "FINISHED_STATES", "MAX_MESSAGE_CHARS", "RESUMABLE_STATES", "BuyerMode", "DecidedBy", "Decision", "DisclosureRecord", "Message",
    "Offer", "Outcome", "OutcomeKind", "Production", "Role", "RunSnapshot", "RunState", "UsageInfo", "Violation", "ViolationKind",
    # rooms, mentions and rules
    "Mentions", "parse_mentions", "recipients_for",
    "RoomPlan", "RoomSeller", "SessionPlan", "SkippedItem", "SkipReason", "plan_rooms",
    "check_acceptance", "check_offer", "money", "percent", "percent_points", "saving_points",
    # scenario files
    "ScenarioError", "load_scenario", "loads_scenario", "parse_config", "save_scenario",
]
