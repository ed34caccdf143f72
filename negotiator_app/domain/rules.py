"""The rules the code enforces whatever the models say (binding offers and valid deals), and how money and
shares are written wherever a person reads them."""
from __future__ import annotations

import math

from .config import InventoryItem, ShoppingItem
from .names import normalize_name
from .records import Offer, Violation, ViolationKind


def money(value: float) -> str:
    return f"{value:,.2f}"


def percent(share: float | None, digits: int = 0, missing: str = "—") -> str:
    """A share of one as a percentage: 0.125 → '12%' (or '12.5%' with one digit); `missing` when there is none."""
    return missing if share is None else percent_points(share * 100, digits)


def percent_points(points: float | None, digits: int = 1, missing: str = "—") -> str:
    """A value already in percent: 12.5 → '12.5%'; `missing` when there is none."""
    return missing if points is None else f"{points:.{digits}f}%"


def saving_points(asking: float, paid: float) -> float | None:
    """What was saved against the asking price, in percent of it (two decimals); None without an asking price."""
    return round((asking - paid) / asking * 100, 2) if asking else None


def check_offer(
    seller: str, stock: InventoryItem, price: float, quantity: int, round_: int, message_seq: int | None
) -> Violation | None:
    """An offer binds only if least ≤ price ≤ selling and 1 ≤ quantity ≤ stock."""

    def violation(kind: ViolationKind, attempted: str, limit: str) -> Violation:
        return Violation(kind=kind, agent=seller, attempted=attempted, limit=limit, round=round_, message_seq=message_seq)

    if quantity < 1:
        return violation(ViolationKind.OFFER_INVALID_QUANTITY, f"offered {quantity} units", "at least 1 unit")
    if quantity > stock.quantity_available:
        return violation(
            ViolationKind.OFFER_EXCEEDS_STOCK, f"offered {quantity} units", f"{stock.quantity_available} in stock"
        )
    if not math.isfinite(price):
        # NaN compares False with everything, so without this it would slip through as binding.
        return violation(ViolationKind.OFFER_INVALID_PRICE, f"offered {price} per unit", "a finite price")
    if price < stock.least_price:
        return violation(
            ViolationKind.OFFER_BELOW_FLOOR, f"offered {money(price)} per unit", f"least price {money(stock.least_price)}"
        )
    if price > stock.selling_price:
        return violation(
            ViolationKind.OFFER_ABOVE_ASK, f"offered {money(price)} per unit", f"selling price {money(stock.selling_price)}"
        )
    return None


def check_acceptance(
    buyer: str,
    item: ShoppingItem,
    seller: str | None,
    standing: dict[str, Offer],
    room_sellers: list[str],
    round_: int,
    message_seq: int | None = None,
) -> tuple[Offer | None, Violation | None]:
    """A deal is valid only on a standing binding offer of a room seller, at ≤ max, covering the quantity."""

    def violation(kind: ViolationKind, attempted: str, limit: str) -> tuple[None, Violation]:
        return None, Violation(
            kind=kind, agent=buyer, attempted=attempted, limit=limit, round=round_, message_seq=message_seq
        )

    by_key = {normalize_name(name): name for name in room_sellers}
    name = by_key.get(normalize_name(seller or ""))
    if name is None:
        return violation(
            ViolationKind.ACCEPT_UNKNOWN_SELLER,
            f"accepted an offer from '{seller or '?'}'",
            "sellers in this room: " + ", ".join(room_sellers),
        )
    offer = standing.get(name)
    if offer is None or not offer.binding:
        return violation(ViolationKind.ACCEPT_NO_OFFER, f"accepted from {name}", f"{name} has no standing offer")
    if offer.price_per_unit > item.max_price:
        return violation(
            ViolationKind.ACCEPT_ABOVE_MAX,
            f"accepted {money(offer.price_per_unit)} per unit from {name}",
            f"max price {money(item.max_price)}",
        )
    if offer.quantity < item.quantity:
        return violation(
            ViolationKind.ACCEPT_INSUFFICIENT_QUANTITY,
            f"accepted {offer.quantity} units from {name}",
            f"needs {item.quantity} units",
        )
    return offer, None
