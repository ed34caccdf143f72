"""Session configuration: buyer, shopping list, sellers, inventory and LLM settings, with every rule."""
from __future__ import annotations

from enum import StrEnum
import re
from collections.abc import Callable
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from .names import normalize_item, normalize_name

SCHEMA_VERSION = 1
_HANDLE_CHARS = re.compile(r"[\w .'\-]+")
MAX_SELLERS = 10

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
ItemName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Price = Annotated[float, Field(ge=0, allow_inf_nan=False)]


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
    quantity: int = Field(ge=1)
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
    quantity_available: int = Field(ge=1)

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
    temperature: float = Field(default=0.7, ge=0, le=2)
    max_tokens: int = Field(default=400, ge=1)
    max_rounds: int = Field(default=10, ge=1, le=50)
    concurrency: int = Field(default=4, ge=1, le=16)
    context_tokens: int = Field(default=4096, ge=512)
    read_timeout_s: float = Field(default=300, gt=0)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/")


class SessionConfig(_Model):
    """A saved session: one buyer, 1–10 sellers, LLM settings. Also the scenario-file format."""

    schema_version: int = SCHEMA_VERSION
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = "New session"
    buyer: Buyer
    sellers: list[Seller] = Field(min_length=1, max_length=MAX_SELLERS)
    llm: LLMSettings = Field(default_factory=LLMSettings)

    @model_validator(mode="after")
    def _unique_people(self) -> SessionConfig:
        _reject_duplicates([s.name for s in self.sellers], "seller name", normalize_name)
        buyer_key = normalize_name(self.buyer.name)
        for seller in self.sellers:
            if normalize_name(seller.name) == buyer_key:
                raise ValueError(f"seller '{seller.name}' has the same name as the buyer")
        return self

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
            raise ValueError(f"{what} '{name}' is listed twice (names are compared ignoring case and spaces)")
        seen[key] = name
