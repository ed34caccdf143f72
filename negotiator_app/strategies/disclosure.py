"""Disclosure detection: does a message state its sender's private numbers (cost, floor, max price)?

Saying one's own numbers is allowed, but users compare models on how often they do it. A number in
the text discloses a secret when it equals it to the cent (see numbers.py for the formats read).

Two things are not counted, to avoid false positives:
- numbers inside public phrases passed as `public` (the item's name, people's names: "USB 3 hub");
- a number the message states openly for another reason, passed as `said_openly` (its own offer or
  counter-price, a price quoted from the other side): a seller offering exactly its floor says the
  number but not that it is its floor. Such a number still counts when words around it name it as
  private ("my cost is 8", "10 is my lowest", "my budget tops out at 20").

For a seller's message, pass its offer price; for a buyer's, the price it proposes (`proposed_price`)
and the standing offers' prices it may quote.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from ..domain import InventoryItem, ShoppingItem
from .numbers import CENT_TOLERANCE, price_mentions


class Secret(StrEnum):
    COST = "cost"  # seller's cost price
    FLOOR = "floor"  # seller's least price
    MAX_PRICE = "max_price"  # buyer's max price per unit


class Disclosure(BaseModel):
    """One place a message states a secret; a model like Violation, so it stores and exports the same way."""

    model_config = ConfigDict(frozen=True)

    secret: Secret
    value: float
    start: int  # the matched span in the message text
    end: int
    text: str


# Words that name a number as private. Searched in the same sentence, close to the number.
_NAMING = re.compile(
    r"\b(?:cost\w*|paid|pay\s+for\s+it|floor|least|lowest|minimum|min|bottom|rock[- ]bottom|below|under|"
    r"limit|budget|max\w*|most|ceiling|afford|top\s+out|tops\s+out|can'?t\s+go|cannot\s+go|"
    r"(?:more|higher|less|lower)\s+than|exceed\w*)\b",  # "I won't pay more than 6", "not less than 12.50"
    re.IGNORECASE,
)
_WINDOW = 40  # characters each side of the number
_BOUNDARY = re.compile(r"[.!?;\n](?:\s|$)|\d")  # a sentence end or another number


def seller_secrets(stock: InventoryItem) -> dict[Secret, float]:
    return {Secret.COST: stock.cost_price, Secret.FLOOR: stock.least_price}


def buyer_secrets(item: ShoppingItem) -> dict[Secret, float]:
    return {Secret.MAX_PRICE: item.max_price}


def find_disclosures(
    text: str,
    secrets: Mapping[Secret, float],
    *,
    said_openly: Iterable[float | None] = (),
    public: Iterable[str] = (),
) -> list[Disclosure]:
    """Every place the text states one of the sender's secrets, in text order."""
    masked = _mask(text, public)
    open_values = [v for v in said_openly if v is not None]
    found = []
    for mention in price_mentions(masked):
        for secret, value in secrets.items():
            if not mention.matches(value):
                continue
            said_for_another_reason = any(abs(value - v) < CENT_TOLERANCE for v in open_values)
            if said_for_another_reason and not _named_private(masked, mention.start, mention.end):
                continue
            found.append(Disclosure(secret=secret, value=value, start=mention.start, end=mention.end,
                                    text=text[mention.start:mention.end]))
    return found


def _mask(text: str, public: Iterable[str]) -> str:
    """The text with public phrases blanked out (same length, so spans still index the original)."""
    for pattern in _phrase_patterns(frozenset(p for p in public if p and p.strip())):
        text = pattern.sub(_blank, text)
    return text


@lru_cache(maxsize=256)
def _phrase_patterns(phrases: frozenset[str]) -> list[re.Pattern[str]]:
    """Longest phrase first (a name inside a longer one is blanked with it); compiled once per set of phrases."""
    return [re.compile(re.escape(p), re.IGNORECASE) for p in sorted(phrases, key=lambda p: (-len(p), p))]


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _named_private(text: str, start: int, end: int) -> bool:
    """Whether words near the number, in its sentence and before any other number, call it a cost,
    floor or limit ("my cost is 6, I sell at 10": "cost" belongs to 6, not to 10)."""
    left = text[max(0, start - _WINDOW):start]
    right = text[end:end + _WINDOW]
    left = _BOUNDARY.split(left)[-1]
    right = _BOUNDARY.split(right)[0]
    return bool(_NAMING.search(left) or _NAMING.search(right))
