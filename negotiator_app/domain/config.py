"""Session configuration: buyer, shopping list, sellers, inventory and LLM settings, with every rule."""
from __future__ import annotations

from enum import StrEnum
import re
from collections.abc import Callable
from typing import Annotated, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import (
    AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict, StringConstraints, ValidationInfo,
    field_serializer, field_validator, model_validator,
)

from .agents import AgentConfig, AgentKind
from .names import NO_CONTROL_PATTERN, clip, control_character, normalize_item, normalize_name

# Version 2 added who plays each agent (`agent`); a version-1 file is read as version 2 with every agent
# played by the session's model, which is what version 1 meant.
SCHEMA_VERSION: Literal[2] = 2
READABLE_VERSIONS = (1, 2)
_HANDLE_CHARS = re.compile(r"[\w .'\-]+")
MAX_SELLERS = 10
# Bounds keep every total finite and storable: 1e9 per unit × 1e6 units = 1e15 < 2**53, so a total is a float
# exact to the unit (never infinity), and every quantity fits SQLite's 64-bit integers with room to spare.
MAX_PRICE = 1_000_000_000
MAX_QUANTITY = 1_000_000
# Stored sessions are read back with this context: bounds added later must not make an existing session
# unreadable (it could then be neither opened nor exported). New input is always checked.
STORED = {"stored": True}


def _from_storage(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("stored"))


def _at_most(limit: int) -> AfterValidator:
    def check(value: float, info: ValidationInfo) -> float:
        if value > limit and not _from_storage(info):
            raise ValueError(f"must be at most {limit:,}")
        return value

    return AfterValidator(check)


def _integral(value: object) -> object:
    # JSON Schema counts 3.0 as an integer; accept it too, so the schema and the validation agree.
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 2**63 else value


# Strict: a number given as text ("320") is refused, as the published JSON Schema refuses it.
StrictInt = Annotated[int, BeforeValidator(_integral), Strict()]
StrictFloat = Annotated[float, Strict()]
Quantity = Annotated[StrictInt, Field(ge=1, json_schema_extra={"maximum": MAX_QUANTITY}), _at_most(MAX_QUANTITY)]
Price = Annotated[StrictFloat, Field(ge=0, allow_inf_nan=False, json_schema_extra={"maximum": MAX_PRICE}),
                  _at_most(MAX_PRICE)]


def _printable(value: str, info: ValidationInfo) -> str:
    # A line break or a text-direction override in a name breaks every line that shows it and reaches prompts.
    found = control_character(value)
    if found and not _from_storage(info):
        raise ValueError(f"must not contain control characters such as line breaks or text-direction marks "
                         f"(found {found})")
    return value


_PRINTABLE = (Field(json_schema_extra={"pattern": NO_CONTROL_PATTERN}), AfterValidator(_printable))
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), *_PRINTABLE]
ItemName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), *_PRINTABLE]


class Priority(StrEnum):
    """What a seller cares about most; it changes how fast it concedes."""

    CUSTOMER_RETENTION = "customer_retention"
    BALANCED = "balanced"
    MAXIMIZE_PROFIT = "maximize_profit"


class SpeakingStyle(StrEnum):
    RUDE = "rude"
    BLUNT = "blunt"
    NEUTRAL = "neutral"
    FRIENDLY = "friendly"
    VERY_SWEET = "very_sweet"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=False)


def _check_handle(name: str) -> str:
    # A name is used as an @handle: it must contain something to type after the '@'.
    if "@" in name:
        raise ValueError("must not contain '@'")
    if not normalize_name(name):
        raise ValueError("must contain at least one letter or digit")
    if not _HANDLE_CHARS.fullmatch(name) or not name[0].isalnum():
        raise ValueError("may use only letters, digits, spaces and _ - . ' (so it can be typed as an @mention)")
    return name


class ShoppingItem(_Model):
    """One line of the buyer's shopping list."""

    name: ItemName
    quantity: Quantity
    min_price: Price
    max_price: Price

    @model_validator(mode="after")
    def _min_below_max(self) -> ShoppingItem:
        if self.min_price >= self.max_price:
            raise ValueError("max price must be above min price")
        return self


class Buyer(_Model):
    name: PersonName = "Buyer"
    items: list[ShoppingItem] = Field(min_length=1)
    agent: AgentConfig | None = Field(default=None, description="who plays the buyer; empty: the session's model")

    @field_validator("name")
    @classmethod
    def _handle(cls, v: str) -> str:
        return _check_handle(v)

    @model_validator(mode="after")
    def _unique_items(self) -> Buyer:
        _reject_duplicates([i.name for i in self.items], "shopping list item", normalize_item)
        return self


class InventoryItem(_Model):
    """What a seller stocks of one item. Cost, floor (least price) are private to the seller."""

    name: ItemName
    cost_price: Price
    least_price: Price
    selling_price: Price
    quantity_available: Quantity

    @model_validator(mode="after")
    def _price_ladder(self) -> InventoryItem:
        if self.least_price <= self.cost_price:
            raise ValueError("least price must be above cost price")
        if self.selling_price <= self.least_price:
            raise ValueError("selling price must be above least price")
        return self


class SellerProfile(_Model):
    """Private personality of a seller: never shown to the buyer agent."""

    priority: Priority = Priority.BALANCED
    speaking_style: SpeakingStyle = SpeakingStyle.NEUTRAL


class Seller(_Model):
    name: PersonName
    profile: SellerProfile = Field(default_factory=SellerProfile)
    inventory: list[InventoryItem] = Field(min_length=1)
    agent: AgentConfig | None = Field(default=None, description="who plays this seller; empty: the session's model")

    @field_validator("name")
    @classmethod
    def _handle(cls, v: str) -> str:
        return _check_handle(v)

    @model_validator(mode="after")
    def _unique_inventory(self) -> Seller:
        _reject_duplicates([i.name for i in self.inventory], "inventory item", normalize_item)
        return self


class LLMSettings(_Model):
    """How to reach the model server and how to sample. The API key is never exported."""

    base_url: str = Field(default="http://localhost:1234/v1", min_length=1)
    model: str = ""
    api_key: str | None = Field(default=None, exclude=True, repr=False)
    temperature: StrictFloat = Field(default=0.7, ge=0, le=2)
    max_tokens: StrictInt = Field(default=400, ge=1, le=1_000_000)
    max_rounds: StrictInt = Field(default=10, ge=1, le=50)
    concurrency: StrictInt = Field(default=4, ge=1, le=64)  # a shared inference server can take dozens at once
    context_tokens: StrictInt = Field(default=4096, ge=512, le=10_000_000)
    read_timeout_s: StrictFloat = Field(default=300, gt=0, le=86_400, allow_inf_nan=False)
    # The read timeout applies between chunks; a server that trickles forever is bounded by this, per reply.
    reply_timeout_s: StrictFloat = Field(default=600, gt=0, le=86_400, allow_inf_nan=False)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/")

    @field_serializer("base_url")
    def _without_credentials(self, v: str) -> str:
        # Like the API key, a user name and password in the URL are used for this process only: every dump
        # (database, export, scenario file) leaves them out.
        return url_without_credentials(v)


def url_without_credentials(url: str) -> str:
    """'http://user:secret@host/v1' -> 'http://host/v1'."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


class SessionConfig(_Model):
    """A saved session: one buyer, 1–10 sellers, LLM settings. Also the scenario-file format."""

    schema_version: Literal[1, 2] = Field(default=SCHEMA_VERSION, description="1 is read and upgraded to 2")
    name: ItemName = "New session"
    buyer: Buyer
    sellers: list[Seller] = Field(min_length=1, max_length=MAX_SELLERS)
    llm: LLMSettings = Field(default_factory=LLMSettings)

    @model_validator(mode="before")
    @classmethod
    def _known_version(cls, data: object) -> object:
        if isinstance(data, dict) and "schema_version" in data and data["schema_version"] not in READABLE_VERSIONS:
            raise ValueError(f"schema_version {data['schema_version']!r} is not a scenario version this app reads "
                             f"(it reads versions {' and '.join(map(str, READABLE_VERSIONS))}); "
                             "a newer Negotiator wrote it")
        return data

    @model_validator(mode="after")
    def _upgrade(self) -> SessionConfig:
        self.schema_version = SCHEMA_VERSION  # version 1 had no agent configurations: nothing else changes
        return self

    @model_validator(mode="after")
    def _unique_people(self) -> SessionConfig:
        _reject_duplicates([s.name for s in self.sellers], "seller name", normalize_name)
        buyer_key = normalize_name(self.buyer.name)
        for seller in self.sellers:
            if normalize_name(seller.name) == buyer_key:
                raise ValueError(f"seller '{clip(seller.name)}' has the same name as the buyer")
        return self

    def agent(self, name: str) -> AgentConfig | None:
        """Who plays the buyer or the named seller (None: the session's model)."""
        if normalize_name(name) == normalize_name(self.buyer.name):
            return self.buyer.agent
        return self.seller(name).agent

    @property
    def needs_server(self) -> bool:
        """False when every agent is a strategy: such a session never talks to a model server."""
        agents = [self.buyer.agent, *(s.agent for s in self.sellers)]
        return any(a is None or a.kind is not AgentKind.STRATEGY for a in agents)

    def seller(self, name: str) -> Seller:
        key = normalize_name(name)
        for seller in self.sellers:
            if normalize_name(seller.name) == key:
                return seller
        raise KeyError(name)


def _reject_duplicates(names: list[str], what: str, key_of: Callable[[str], str]) -> None:
    seen: dict[str, str] = {}
    for name in names:
        key = key_of(name)
        if key in seen:
            raise ValueError(f"{what} '{clip(name)}' is listed twice (names are compared ignoring case and spaces)")
        seen[key] = name
