"""Which private numbers a message states about its own sender (a seller's cost or floor, the buyer's max)."""
from __future__ import annotations

from collections.abc import Iterable

from ..domain import InventoryItem, ShoppingItem
from ..strategies import Disclosure, buyer_secrets, find_disclosures, proposed_price, seller_secrets


def seller_disclosures(text: str, stock: InventoryItem, offer_price: float | None, public: Iterable[str]) -> list[Disclosure]:
    """A seller's own offer price is said openly: offering exactly its floor is not calling it the floor."""
    return find_disclosures(text, seller_secrets(stock), said_openly=[offer_price], public=public)


def buyer_disclosures(text: str, item: ShoppingItem, quoted: Iterable[float], public: Iterable[str]) -> list[Disclosure]:
    """The buyer's proposed price and the sellers' prices it quotes are said openly; its max named as such is not."""
    return find_disclosures(text, buyer_secrets(item), said_openly=[proposed_price(text), *quoted], public=public)
