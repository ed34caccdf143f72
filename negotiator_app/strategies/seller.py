"""A strategy seller's turn as a pure function: the price it offers this round and the words it says."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..domain import InventoryItem, SpeakingStyle
from . import templates
from .config import StrategyConfig, StrategyKind
from .tactics import seller_price, seller_tit_for_tat


@dataclass(frozen=True)
class SellerMove:
    """What a seller's reply carries, field for field as the engine reads it from a model's reply."""

    message: str
    offer_price: float | None
    offer_quantity: int | None


def seller_offer_price(
    strategy: StrategyConfig, stock: InventoryItem, round_: int, max_rounds: int,
    buyer_prices: Sequence[float | None] = (),
) -> float:
    """The price this seller offers in `round_` (1-based), always within [least price, selling price].

    `buyer_prices` is what a tit-for-tat seller observes: the price the buyer proposed to it in each
    round so far (round 1 first, up to this round), None where the buyer named no price; a round
    without a price counts as the buyer standing where it was. Time-dependent sellers ignore it.
    """
    floor, ask = stock.least_price, stock.selling_price
    if strategy.kind is StrategyKind.TIT_FOR_TAT:
        return seller_tit_for_tat(floor, ask, list(buyer_prices)[: max(0, round_)])
    return seller_price(floor, ask, round_, max_rounds, strategy.e, strategy.initial_concession)


def seller_move(
    strategy: StrategyConfig,
    *,
    seller: str,
    stock: InventoryItem,
    wanted: int,
    round_: int,
    max_rounds: int,
    style: SpeakingStyle = SpeakingStyle.NEUTRAL,
    buyer_prices: Sequence[float | None] = (),
    seed: int | str = 0,
) -> SellerMove:
    """This round's reply: an offer for the units the buyer wants (at most the stock) at the strategy's
    price, in a message in the seller's speaking style. Deterministic given the seed."""
    price = seller_offer_price(strategy, stock, round_, max_rounds, buyer_prices)
    quantity = max(1, min(wanted, stock.quantity_available))
    previous = (
        seller_offer_price(strategy, stock, round_ - 1, max_rounds, buyer_prices) if round_ > 1 else None
    )
    if previous is None:
        situation = templates.FIRST
    else:
        situation = templates.LOWER if price < previous else templates.HOLD
    rng = templates.turn_rng(seed, seller, round_)
    text = templates.seller_message(style, situation, price, quantity, stock.name, rng)
    return SellerMove(message=text, offer_price=price, offer_quantity=quantity)
