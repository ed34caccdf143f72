"""Domain model and pure rules: no I/O beyond scenario files, no Qt.

Names are imported on first use (as `storage` and `llm` do): the models are pydantic classes whose building costs
a good part of the window's start, and the window's first paint needs only the run states (`states`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_names import name_loader

if TYPE_CHECKING:
    from .agents import DEFAULT_EXPONENT, AgentConfig, AgentKind, StrategyConfig, StrategyKind, describe_agent
    from .config import (
        MAX_PRICE, MAX_QUANTITY, MAX_SELLERS, Buyer, InventoryItem, LLMSettings, Priority, SessionConfig, Seller,
        SellerProfile, ShoppingItem, SpeakingStyle,
    )
    from .mentions import Mentions, parse_mentions, recipients_for
    from .records import (
        MAX_MESSAGE_CHARS, DisclosureRecord, Message, Offer, Outcome, OutcomeKind, Production, RunSnapshot, UsageInfo,
        Violation, ViolationKind,
    )
    from .rooms import RoomPlan, RoomSeller, SessionPlan, SkippedItem, SkipReason, plan_rooms
    from .rules import check_acceptance, check_offer, money, percent, percent_points, saving_points
    from .scenario import ScenarioError, load_scenario, loads_scenario, parse_config, save_scenario
    from .states import FINISHED_STATES, RESUMABLE_STATES, BuyerMode, DecidedBy, Decision, Role, RunState

__all__ = [
    # configuration
    "DEFAULT_EXPONENT", "AgentConfig", "AgentKind", "StrategyConfig", "StrategyKind", "describe_agent",
    "MAX_PRICE", "MAX_QUANTITY", "MAX_SELLERS", "Buyer", "InventoryItem", "LLMSettings", "Priority", "SessionConfig",
    "Seller", "SellerProfile", "ShoppingItem", "SpeakingStyle",
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
__getattr__ = name_loader(__name__, {
    "agents": ["DEFAULT_EXPONENT", "AgentConfig", "AgentKind", "StrategyConfig", "StrategyKind", "describe_agent"],
    "config": ["MAX_PRICE", "MAX_QUANTITY", "MAX_SELLERS", "Buyer", "InventoryItem", "LLMSettings", "Priority",
               "SessionConfig", "Seller", "SellerProfile", "ShoppingItem", "SpeakingStyle"],
    "mentions": ["Mentions", "parse_mentions", "recipients_for"],
    "records": ["MAX_MESSAGE_CHARS", "DisclosureRecord", "Message", "Offer", "Outcome", "OutcomeKind", "Production",
                "RunSnapshot", "UsageInfo", "Violation", "ViolationKind"],
    "rooms": ["RoomPlan", "RoomSeller", "SessionPlan", "SkippedItem", "SkipReason", "plan_rooms"],
    "rules": ["check_acceptance", "check_offer", "money", "percent", "percent_points", "saving_points"],
    "scenario": ["ScenarioError", "load_scenario", "loads_scenario", "parse_config", "save_scenario"],
    "states": ["FINISHED_STATES", "RESUMABLE_STATES", "BuyerMode", "DecidedBy", "Decision", "Role", "RunState"],
}, globals())
