"""Reading prices written in free text: "$12.50", "12.5", "12,50 EUR", "1,250.00", "1.250,00".

Only digits are read; numbers in words ("twelve") are not. A number directly followed by a count
word ("10 units", "3 days") or a percent sign is a count, not a price, and is skipped. A number glued
to a word or a handle ("Shop24", "@24") is part of a name and is skipped too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Half a cent: "12.5" states 12.50, and a price shown rounded to cents states the price it rounds.
CENT_TOLERANCE = 0.005

_NUMBER = re.compile(r"(?<![\w@.,])\d(?:[\d.,]*\d)?")
_CURRENCY_BEFORE = re.compile(r"(?:[$€£¥]|\b(?:usd|eur|gbp|chf|cad|aud))\s*$", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(
    r"^\s*(?:[$€£¥]|(?:usd|eur|gbp|chf|cad|aud|dollars?|euros?|pounds?|bucks)\b"
    r"|(?:per|a|an|/)\s*(?:unit|piece|item|each|pc)\b|each\b|apiece\b)",
    re.IGNORECASE,
)
_COUNT_BEFORE = re.compile(r"(?:\b(?:round|rounds|step|no\.|number|day|week)|#)\s*$", re.IGNORECASE)
_COUNT_AFTER = re.compile(
    r"^\s*(?:%|percent\b|x\b|×|units?\b|pcs\b|pieces?\b|items?\b|boxes\b|packs?\b|days?\b|weeks?\b|months?\b"
    r"|years?\b|hours?\b|minutes?\b|rounds?\b|times\b|st\b|nd\b|rd\b|th\b|of\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PriceMention:
    """A number in a text that can be a price. `values` holds every reading of an ambiguous one
    ("12,500" is 12500 with a thousands comma or 12.5 with a decimal comma)."""

    start: int
    end: int
    text: str
    values: tuple[float, ...]
    marked: bool  # written with a currency or "per unit": certainly a price

    def matches(self, value: float) -> bool:
        return any(abs(v - value) < CENT_TOLERANCE for v in self.values)


def readings(token: str) -> tuple[float, ...]:
    """Every plausible value of a digit token with ',' and '.' used as decimal or thousands marks."""
    if "." in token and "," in token:
        decimal = max(token.rfind("."), token.rfind(","))
        whole = re.sub(r"[.,]", "", token[:decimal])
        return (float(f"{whole}.{token[decimal + 1:]}"),)
    for sep in ".,":
        if sep in token:
            parts = token.split(sep)
            if len(parts) > 2:  # 1,000,000 or 1.000.000
                return (float("".join(parts)),)
            whole, tail = parts
            if len(tail) == 3 and len(whole) <= 3 and whole != "0":  # 12,500: thousands or decimal
                return (float(whole + tail), float(f"{whole}.{tail}"))
            return (float(f"{whole}.{tail}"),)
    return (float(token),)


def price_mentions(text: str) -> list[PriceMention]:
    return list(_price_mentions(text))


@lru_cache(maxsize=1024)  # strategies re-read the run's earlier messages every turn
def _price_mentions(text: str) -> tuple[PriceMention, ...]:
    found = []
    for match in _NUMBER.finditer(text):
        after, before = text[match.end():], text[: match.start()]
        if _COUNT_AFTER.match(after) or _COUNT_BEFORE.search(before):
            continue
        marked = bool(_CURRENCY_BEFORE.search(before) or _CURRENCY_AFTER.match(after))
        found.append(PriceMention(match.start(), match.end(), match.group(0), readings(match.group(0)), marked))
    return tuple(found)


def states_price(text: str, price: float) -> bool:
    """Whether the text states this price (to the cent) anywhere."""
    return any(m.matches(price) for m in price_mentions(text))


def proposed_price(text: str) -> float | None:
    """The price a message proposes: its last price written with a currency or "per unit", else its
    last number that is not a count; None when it names none. A heuristic, for buyers that write
    prices only in words ("Can you do $8?" -> 8.0; "I need 10 units at 7.50 each" -> 7.5)."""
    mentions = price_mentions(text)
    marked = [m for m in mentions if m.marked]
    chosen = (marked or mentions)[-1:] if mentions else []
    return chosen[0].values[-1] if chosen else None
