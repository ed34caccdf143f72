"""What a tit-for-tat seller observes: the price the buyer proposed to it in each round."""
from __future__ import annotations

from collections.abc import Iterable

from ..domain import Message, Role
from ..domain.names import normalize_name
from .numbers import proposed_price


def buyer_prices_by_round(messages: Iterable[Message], seller: str, up_to_round: int) -> list[float | None]:
    """Round 1..up_to_round: the price in the buyer's last message of that round that this seller may
    see (addressed to it or to everyone), None when there is none or it names no price."""
    key = normalize_name(seller)
    prices: list[float | None] = [None] * max(0, up_to_round)
    for message in messages:
        if message.role != Role.BUYER or not 1 <= message.round <= up_to_round:
            continue
        if key not in {normalize_name(r) for r in message.recipients}:
            continue
        price = proposed_price(message.text)
        if price is not None:
            prices[message.round - 1] = price
    return prices
