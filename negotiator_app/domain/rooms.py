"""Room planning: one room per shopping-list item, holding the sellers that can supply it."""
from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from .config import InventoryItem, SessionConfig, ShoppingItem
from .names import normalize_item, normalize_name


class SkipReason(StrEnum):
    NO_INVENTORY = "no_inventory"
    INSUFFICIENT_QUANTITY = "insufficient_quantity"


SKIP_REASON_TEXT = {
    SkipReason.NO_INVENTORY: "no seller stocks this item",
    SkipReason.INSUFFICIENT_QUANTITY: "no seller has enough units in stock",
}


class RoomSeller(BaseModel):
    name: str
    stock: InventoryItem


class RoomPlan(BaseModel):
    """A room to negotiate in: its key is the shopping item's position in the list."""

    index: int
    item: ShoppingItem
    sellers: list[RoomSeller]

    @property
    def key(self) -> str:
        return f"room-{self.index + 1}"

    @property
    def seller_names(self) -> list[str]:
        return [s.name for s in self.sellers]

    def seller(self, name: str) -> RoomSeller | None:
        key = normalize_name(name)
        return next((s for s in self.sellers if normalize_name(s.name) == key), None)


class SkippedItem(BaseModel):
    index: int
    item: ShoppingItem
    reason: SkipReason
    detail: str


class SessionPlan(BaseModel):
    rooms: list[RoomPlan]
    skipped: list[SkippedItem]


def plan_rooms(config: SessionConfig) -> SessionPlan:
    rooms: list[RoomPlan] = []
    skipped: list[SkippedItem] = []
    for index, item in enumerate(config.buyer.items):
        key = normalize_item(item.name)
        stocking = [
            RoomSeller(name=seller.name, stock=inv)
            for seller in config.sellers
            for inv in seller.inventory
            if normalize_item(inv.name) == key
        ]
        enough = [s for s in stocking if s.stock.quantity_available >= item.quantity]
        if enough:
            rooms.append(RoomPlan(index=index, item=item, sellers=enough))
            continue
        if not stocking:
            reason, detail = SkipReason.NO_INVENTORY, SKIP_REASON_TEXT[SkipReason.NO_INVENTORY]
        else:
            best = max(s.stock.quantity_available for s in stocking)
            reason = SkipReason.INSUFFICIENT_QUANTITY
            detail = f"needs {item.quantity}, the most any seller has is {best}"
        skipped.append(SkippedItem(index=index, item=item, reason=reason, detail=detail))
    return SessionPlan(rooms=rooms, skipped=skipped)
