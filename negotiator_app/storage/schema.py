"""The database tables (SQLAlchemy Core), with CHECK constraints mirroring the domain rules."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean, CheckConstraint, Column, Float, ForeignKey, ForeignKeyConstraint, Index, Integer, MetaData, String, Table,
    Text, UniqueConstraint, func,
)
from sqlalchemy.types import TypeDecorator

from ..domain import AgentKind, OutcomeKind, Priority, Role, RunState, SpeakingStyle, ViolationKind

metadata = MetaData()


def utc_text(value: datetime | None) -> str | None:
    """How a time is stored: ISO-8601 in UTC with its offset (a naive time is taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


class UTCDateTime(TypeDecorator):
    """ISO-8601 text with an explicit UTC offset: SQLite has no time zone type, and naive times lie."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> str | None:
        return utc_text(value)

    def process_result_value(self, value: str | None, dialect) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)


def _one_of(column: str, values) -> CheckConstraint:
    listed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=f"ck_{column}_known")


def _flag(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} IN (0, 1)", name=f"ck_{column}_flag")


def _fk(target: str) -> ForeignKey:
    return ForeignKey(target, ondelete="CASCADE")


sessions = Table(
    "sessions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("buyer_name", Text, nullable=False),
    Column("llm_json", Text, nullable=False),  # LLM settings without the API key (never stored)
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("length(trim(name)) BETWEEN 1 AND 100", name="ck_session_name"),
    CheckConstraint("length(trim(buyer_name)) BETWEEN 1 AND 50 AND instr(buyer_name, '@') = 0", name="ck_buyer_name"),
)

buyer_items = Table(
    "buyer_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, _fk("sessions.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("min_price", Float, nullable=False),
    Column("max_price", Float, nullable=False),
    UniqueConstraint("session_id", "position"),
    CheckConstraint("length(trim(name)) BETWEEN 1 AND 100", name="ck_item_name"),
    CheckConstraint("quantity >= 1", name="ck_item_quantity"),
    CheckConstraint("min_price >= 0 AND min_price < max_price", name="ck_item_prices"),
)

sellers = Table(
    "sellers", metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, _fk("sessions.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("name_key", Text, nullable=False),  # normalised @handle: unique per session
    Column("priority", String(30), nullable=False),
    Column("speaking_style", String(30), nullable=False),
    UniqueConstraint("session_id", "position"),
    UniqueConstraint("session_id", "name_key"),
    CheckConstraint("length(trim(name)) BETWEEN 1 AND 50 AND instr(name, '@') = 0", name="ck_seller_name"),
    CheckConstraint("length(name_key) >= 1", name="ck_seller_handle"),
    _one_of("priority", Priority),
    _one_of("speaking_style", SpeakingStyle),
)

inventory = Table(
    "inventory", metadata,
    Column("id", Integer, primary_key=True),
    Column("seller_id", Integer, _fk("sellers.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("cost_price", Float, nullable=False),
    Column("least_price", Float, nullable=False),
    Column("selling_price", Float, nullable=False),
    Column("quantity_available", Integer, nullable=False),
    UniqueConstraint("seller_id", "position"),
    CheckConstraint("length(trim(name)) BETWEEN 1 AND 100", name="ck_stock_name"),
    CheckConstraint("cost_price >= 0 AND cost_price < least_price AND least_price < selling_price",
                    name="ck_stock_price_ladder"),
    CheckConstraint("quantity_available >= 1", name="ck_stock_quantity"),
)

rooms = Table(
    "rooms", metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, _fk("sessions.id"), nullable=False, index=True),
    Column("room_key", String(20), nullable=False),
    Column("item_name", Text, nullable=False),
    UniqueConstraint("session_id", "room_key"),
    CheckConstraint("room_key GLOB 'room-[1-9]*'", name="ck_room_key"),
)

runs = Table(
    "runs", metadata,
    Column("id", String(32), primary_key=True),  # the engine's uuid hex
    Column("room_id", Integer, _fk("rooms.id"), nullable=False, index=True),
    Column("state", String(30), nullable=False),
    Column("item", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("buyer_mode", String(10), nullable=False, default="ai"),
    Column("model", Text, nullable=False, default=""),
    Column("max_rounds", Integer, nullable=False),
    Column("rounds", Integer, nullable=False, default=0),
    Column("parse_failures", Integer, nullable=False, default=0),
    Column("last_event_seq", Integer, nullable=False, default=0),
    Column("resumed_count", Integer, nullable=False, default=0),
    Column("config_json", Text, nullable=False),  # the configuration this run used (sessions can be edited)
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("owner_id", Text),  # the process negotiating the run (see owners.py); NULL when nobody does
    Column("heartbeat_at", UTCDateTime),  # refreshed by the owner while the run is unfinished
    _one_of("state", RunState),
    CheckConstraint("buyer_mode IN ('ai', 'person')", name="ck_buyer_mode"),
    CheckConstraint("quantity >= 1 AND max_rounds >= 1", name="ck_run_limits"),
    CheckConstraint("rounds >= 0 AND parse_failures >= 0 AND last_event_seq >= 0", name="ck_run_counters"),
)

participants = Table(
    "participants", metadata,
    Column("run_id", String(32), _fk("runs.id"), primary_key=True),
    Column("name", Text, primary_key=True),
    Column("role", String(10), nullable=False),
    _one_of("role", Role),
)

messages = Table(
    "messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", String(32), _fk("runs.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("round", Integer, nullable=False),
    Column("sender", Text, nullable=False),
    Column("role", String(10), nullable=False),
    Column("text", Text, nullable=False),
    Column("reasoning", Text, nullable=False, default=""),
    Column("typed_by_person", Boolean(create_constraint=False), nullable=False, default=False),
    Column("interrupted", Boolean(create_constraint=False), nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("run_id", "seq"),
    # The sender must be someone taking part in this run.
    ForeignKeyConstraint(["run_id", "sender"], ["participants.run_id", "participants.name"], ondelete="CASCADE"),
    CheckConstraint("seq >= 1 AND round >= 0", name="ck_message_order"),
    _one_of("role", Role),
    _flag("typed_by_person"),
    _flag("interrupted"),
    CheckConstraint("role = 'buyer' OR typed_by_person = 0", name="ck_only_buyer_typed"),
)

message_recipients = Table(
    "message_recipients", metadata,
    Column("message_id", Integer, _fk("messages.id"), primary_key=True),
    Column("run_id", String(32), nullable=False),
    Column("name", Text, primary_key=True),
    ForeignKeyConstraint(["run_id", "name"], ["participants.run_id", "participants.name"], ondelete="CASCADE"),
    Index("ix_message_recipients_run_id", "run_id", "name"),  # schema v6
)

usage = Table(
    "usage", metadata,
    Column("message_id", Integer, _fk("messages.id"), primary_key=True),
    Column("prompt_tokens", Integer),
    Column("completion_tokens", Integer),
    Column("time_to_first_token_s", Float),
    Column("duration_s", Float),
    Column("tokens_per_s", Float),
    CheckConstraint("prompt_tokens >= 0 AND completion_tokens >= 0", name="ck_usage_tokens"),
    CheckConstraint("time_to_first_token_s >= 0 AND duration_s >= 0 AND tokens_per_s >= 0", name="ck_usage_times"),
)

offers = Table(
    "offers", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", String(32), _fk("runs.id"), nullable=False, index=True),
    Column("seller", Text, nullable=False),
    Column("price_per_unit", Float),  # NULL only for a non-finite (never binding) price
    Column("quantity", Integer, nullable=False),
    Column("round", Integer, nullable=False),
    Column("message_seq", Integer, nullable=False),
    Column("binding", Boolean(create_constraint=False), nullable=False),
    ForeignKeyConstraint(["run_id", "seller"], ["participants.run_id", "participants.name"], ondelete="CASCADE"),
    _flag("binding"),
    # A binding offer has a real price and at least one unit (the floor/ask check needs the stock: the engine's).
    CheckConstraint("binding = 0 OR (price_per_unit >= 0 AND quantity >= 1)", name="ck_binding_offer"),
    CheckConstraint("round >= 0", name="ck_offer_round"),
)

violations = Table(
    "violations", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", String(32), _fk("runs.id"), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("agent", Text, nullable=False),
    Column("attempted", Text, nullable=False),
    Column("limit_text", Text, nullable=False),
    Column("round", Integer, nullable=False),
    Column("message_seq", Integer),
    _one_of("kind", ViolationKind),
    CheckConstraint("round >= 0", name="ck_violation_round"),
)

outcomes = Table(
    "outcomes", metadata,
    Column("run_id", String(32), _fk("runs.id"), primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("seller", Text),
    Column("price_per_unit", Float),
    Column("quantity", Integer),
    Column("reason", Text, nullable=False, default=""),
    _one_of("kind", OutcomeKind),
    CheckConstraint(
        "(kind = 'deal' AND seller IS NOT NULL AND price_per_unit >= 0 AND quantity >= 1)"
        " OR (kind = 'no_deal' AND seller IS NULL AND price_per_unit IS NULL AND quantity IS NULL)",
        name="ck_outcome_shape",
    ),
    CheckConstraint("length(reason) <= 500", name="ck_outcome_reason"),
)

run_events = Table(
    "run_events", metadata,  # decisions, parse failures, silent sellers and errors, in event order
    Column("id", Integer, primary_key=True),
    Column("run_id", String(32), _fk("runs.id"), nullable=False, index=True),
    Column("event_seq", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("round", Integer),
    Column("agent", Text),
    Column("text", Text, nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
    Column("at", UTCDateTime, nullable=False),
    CheckConstraint("kind IN ('decision', 'parse_failed', 'seller_silent', 'error')", name="ck_event_kind"),
)

debriefs = Table(
    "debriefs", metadata,  # schema v2: the AI debrief, one per item (room) plus one for the session (room_key NULL)
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, _fk("sessions.id"), nullable=False),
    Column("room_key", String(20)),
    Column("item", Text),
    Column("run_id", String(32), _fk("runs.id")),  # the run it was written from; NULL for the session debrief
    Column("model", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("text", Text, nullable=False),
    Column("unknown_citations", Text, nullable=False, default="[]"),  # JSON list: cited #N not in the run
    CheckConstraint("room_key IS NULL OR room_key GLOB 'room-[1-9]*'", name="ck_debrief_room_key"),
    CheckConstraint("(room_key IS NULL) = (run_id IS NULL) AND (room_key IS NULL) = (item IS NULL)",
                    name="ck_debrief_scope"),
    CheckConstraint("length(trim(text)) >= 1", name="ck_debrief_text"),
)
# One debrief per item and one per session (NULL room keys would never collide in a plain UNIQUE).
Index("ux_debriefs_scope", debriefs.c.session_id, func.coalesce(debriefs.c.room_key, ""), unique=True)

agent_configs = Table(
    "agent_configs", metadata,  # schema v5: who plays the buyer (seller_id NULL) or a seller, when not the session's model
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, _fk("sessions.id"), nullable=False),
    Column("seller_id", Integer, _fk("sellers.id")),
    Column("agent_json", Text, nullable=False),
)
Index("ux_agent_configs_agent", agent_configs.c.session_id, func.coalesce(agent_configs.c.seller_id, 0), unique=True)

message_productions = Table(
    "message_productions", metadata,  # schema v5: how each agent message was produced
    Column("message_id", Integer, _fk("messages.id"), primary_key=True),
    Column("agent_kind", String(10), nullable=False),
    Column("model", Text),
    Column("temperature", Float),
    Column("seed", Integer),
    Column("latency_s", Float),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("fallback", Boolean(create_constraint=False), nullable=False, default=False),
    _one_of("agent_kind", AgentKind),
    _flag("fallback"),
    CheckConstraint("failed_attempts >= 0 AND (latency_s IS NULL OR latency_s >= 0)", name="ck_production_counts"),
)

run_seeds = Table(
    "run_seeds", metadata,  # schema v5: the strategies' seed of a run (the same seed replays the same moves)
    Column("run_id", String(32), _fk("runs.id"), primary_key=True),
    Column("seed", Integer, nullable=False),
)

disclosures = Table(
    "disclosures", metadata,  # schema v5: messages that stated their sender's private numbers
    Column("id", Integer, primary_key=True),
    Column("run_id", String(32), _fk("runs.id"), nullable=False, index=True),
    Column("message_seq", Integer, nullable=False),
    Column("agent", Text, nullable=False),
    Column("round", Integer, nullable=False),
    Column("secret", String(20), nullable=False),
    Column("value", Float, nullable=False),
    Column("text", Text, nullable=False),
    CheckConstraint("secret IN ('cost', 'floor', 'max_price')", name="ck_disclosure_secret"),
)

# Rules that span rows, which a CHECK cannot see.
TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS sellers_at_most_ten BEFORE INSERT ON sellers
       WHEN (SELECT count(*) FROM sellers WHERE session_id = NEW.session_id) >= 10
       BEGIN SELECT RAISE(ABORT, 'a session has at most 10 sellers'); END""",
    """CREATE TRIGGER IF NOT EXISTS deal_needs_binding_offer BEFORE INSERT ON outcomes
       WHEN NEW.kind = 'deal' AND NOT EXISTS (
           SELECT 1 FROM offers WHERE run_id = NEW.run_id AND seller = NEW.seller AND binding = 1
           AND price_per_unit = NEW.price_per_unit)
       BEGIN SELECT RAISE(ABORT, 'a deal must accept a binding offer the seller made in this run'); END""",
]

# Schema v4: experiments. An experiment's runs are ordinary runs; these tables tag them with experiment and arm.
experiments = Table(
    "experiments", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("spec_json", Text, nullable=False),  # the experiment file as it was run
    Column("scenario_json", Text, nullable=False),  # the scenario the arms vary, frozen when the experiment was made
    CheckConstraint("length(trim(name)) >= 1", name="ck_experiment_name"),
)

experiment_arms = Table(
    "experiment_arms", metadata,  # an arm's configuration is a stored session, so its runs are like any other
    Column("id", Integer, primary_key=True),
    Column("experiment_id", Integer, _fk("experiments.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("session_id", Integer, _fk("sessions.id"), nullable=False),
    UniqueConstraint("experiment_id", "position", name="ux_experiment_arm_position"),
    UniqueConstraint("experiment_id", "name", name="ux_experiment_arm_name"),
)

experiment_runs = Table(
    "experiment_runs", metadata,  # one scheduled repetition of one arm, in schedule order
    Column("id", Integer, primary_key=True),
    Column("experiment_id", Integer, _fk("experiments.id"), nullable=False),
    Column("position", Integer, nullable=False),  # the interleaved schedule: arm A 1, arm B 1, arm A 2, ...
    Column("arm_id", Integer, _fk("experiment_arms.id"), nullable=False),
    Column("repetition", Integer, nullable=False),
    Column("seed", Integer, nullable=False),
    Column("seller_order", Text, nullable=False),  # JSON list: the order the buyer was shown the sellers in
    Column("run_ids", Text, nullable=False, default="[]"),  # JSON list: the runs (one per room) of the last attempt
    Column("attempts", Integer, nullable=False, default=0),
    Column("done", Boolean, nullable=False, default=False),
    _flag("done"),
    CheckConstraint("position >= 0 AND repetition >= 1 AND attempts >= 0", name="ck_experiment_run_counters"),
    UniqueConstraint("experiment_id", "position", name="ux_experiment_run_position"),
)
