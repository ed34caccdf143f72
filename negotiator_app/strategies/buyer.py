"""A strategy buyer's decision as a pure function: accept the best valid offer, counter, or walk away.

The buyer's target rises from its min price towards its max price (time-dependent families), or
mirrors the sellers' concessions (tit-for-tat). It accepts when the best valid offer is at or below
its current target, otherwise it addresses the seller with the best standing offer (preferring one it
could accept: binding, at or below its max, for all the units it needs) with its target
as counter-price; at the round limit it accepts any valid offer (a deal at or below its max beats no
deal) and otherwise walks away.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..domain import Decision, Offer, ShoppingItem
from . import templates
from .config import StrategyConfig, StrategyKind
from .tactics import buyer_target, buyer_tit_for_tat

# Short names for the buyer's decisions (the domain's enum members).
CONTINUE, ACCEPT, WALK_AWAY = Decision.CONTINUE, Decision.ACCEPT, Decision.WALK_AWAY


@dataclass(frozen=True)
class BuyerMove:
    """What a buyer's reply carries, as the engine reads it from a model (message, decision, seller:
    the seller accepted), plus, when it goes on, the counter-price it proposes and the seller its
    message addresses with an @mention (None: every seller)."""

    message: str
    decision: Decision
    seller: str | None = None
    counter_price: float | None = None
    addressed: str | None = None


def is_valid(offer: Offer, item: ShoppingItem) -> bool:
    """An offer the buyer may accept: binding, at or below its max price, for all the units it needs."""
    return offer.binding and offer.price_per_unit <= item.max_price and offer.quantity >= item.quantity


def best_offer(offers: Iterable[Offer]) -> Offer | None:
    """The lowest price; ties go to the earlier offer, then to the seller's name, so the choice is stable."""
    return min(offers, key=lambda o: (o.price_per_unit, o.round, o.message_seq, o.seller), default=None)


def best_price_by_round(history: Iterable[Offer], rounds: int) -> list[float | None]:
    """The lowest binding offer made in each round 1..rounds (None for a round without one)."""
    best: list[float | None] = [None] * max(0, rounds)
    for offer in history:
        if offer.binding and 1 <= offer.round <= rounds:
            current = best[offer.round - 1]
            best[offer.round - 1] = offer.price_per_unit if current is None else min(current, offer.price_per_unit)
    return best


def target_price(
    strategy: StrategyConfig, item: ShoppingItem, round_: int, max_rounds: int, history: Iterable[Offer] = ()
) -> float:
    """The buyer's target this round, always within [min price, max price] and never lower than before."""
    if round_ >= max_rounds:
        return item.max_price  # F(T) = 1 for every time-dependent family; tit-for-tat keeps the same deadline
    if strategy.kind is StrategyKind.TIT_FOR_TAT:
        return buyer_tit_for_tat(item.min_price, item.max_price, best_price_by_round(history, round_))
    return buyer_target(item.min_price, item.max_price, round_, max_rounds, strategy.e, strategy.initial_concession)


def buyer_move(
    strategy: StrategyConfig,
    *,
    buyer: str,
    item: ShoppingItem,
    round_: int,
    max_rounds: int,
    standing: Mapping[str, Offer] | Sequence[Offer],
    history: Iterable[Offer] = (),
    seed: int | str = 0,
) -> BuyerMove:
    """The buyer's decision at the end of `round_` given the standing offers (tit-for-tat also reads
    `history`, every offer of the run). Deterministic given the seed."""
    offers = list(standing.values()) if isinstance(standing, Mapping) else list(standing)
    rng = templates.turn_rng(seed, buyer, round_)
    target = target_price(strategy, item, round_, max_rounds, history)
    valid = best_offer(o for o in offers if is_valid(o, item))
    if valid is not None and valid.price_per_unit <= target:
        price, name = valid.price_per_unit, valid.seller
        text = templates.buyer_message("accept", rng, price=price, qty=item.quantity, seller=name)
        return BuyerMove(text, Decision.ACCEPT, valid.seller)
    if round_ >= max_rounds:
        return BuyerMove(templates.buyer_message("walk_away", rng), Decision.WALK_AWAY)
    # Talk to the seller whose offer could be accepted, else to the lowest binding offer at all.
    addressed = valid or best_offer(o for o in offers if o.binding)
    if addressed is None:
        text = templates.buyer_message("counter_all", rng, price=target, qty=item.quantity, item=item.name)
        return BuyerMove(text, Decision.CONTINUE, None, target)
    text = templates.buyer_message("counter", rng, price=target, qty=item.quantity, seller=addressed.seller)
    return BuyerMove(text, Decision.CONTINUE, None, target, addressed.seller)


def buyer_opening(
    strategy: StrategyConfig, *, buyer: str, item: ShoppingItem, max_rounds: int, seed: int | str = 0
) -> BuyerMove:
    """The buyer's first message of a run (no offers yet): to every seller, at its starting target F(0) = k
    (its min price when k = 0); its decision after round 1 then proposes the round-1 target."""
    price = target_price(strategy, item, 0, max_rounds)
    rng = templates.turn_rng(seed, buyer, 0)
    text = templates.buyer_message("open", rng, price=price, qty=item.quantity, item=item.name)
    return BuyerMove(text, Decision.CONTINUE, None, price)
