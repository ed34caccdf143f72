"""A strategy's move this turn as the reply a model would give, with what a hybrid's model is told and checked on."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from .. import strategies
from ..domain import Decision, InventoryItem, Message, Offer, ShoppingItem, SpeakingStyle, StrategyConfig
from . import policy
from .agents import StrategyPlan
from .protocol import BuyerReply, SellerReply


def buyer_opening_plan(strategy: StrategyConfig, *, buyer: str, item: ShoppingItem, max_rounds: int,
                       seed: int | None) -> StrategyPlan[BuyerReply]:
    move = strategies.buyer_opening(strategy, buyer=buyer, item=item, max_rounds=max_rounds, seed=seed or 0)
    return StrategyPlan(BuyerReply(move.message, Decision.CONTINUE), strategies.buyer_instruction(move),
                        lambda parsed: strategies.check_buyer_reply(parsed.message, parsed.decision, parsed.seller, move))


def buyer_decision_plan(strategy: StrategyConfig, decisions: list[Decision], *, buyer: str, item: ShoppingItem,
                        round_: int, max_rounds: int, standing: Mapping[str, Offer], history: Iterable[Offer],
                        seed: int | None) -> StrategyPlan[BuyerReply]:
    """The buyer's decision; one it may not take now is read as the nearest it may, as for a model."""
    move = strategies.buyer_move(strategy, buyer=buyer, item=item, round_=round_, max_rounds=max_rounds,
                                 standing=standing, history=history, seed=seed or 0)
    decision = Decision(policy.coerce_decision(move.decision, decisions))
    reply = BuyerReply(move.message, decision, move.seller if decision == Decision.ACCEPT else None)
    return StrategyPlan(reply, strategies.buyer_instruction(move),
                        lambda parsed: strategies.check_buyer_reply(parsed.message, parsed.decision, parsed.seller, move))


def seller_plan(strategy: StrategyConfig, *, seller: str, stock: InventoryItem, wanted: int, round_: int,
                max_rounds: int, style: SpeakingStyle, transcript: Iterable[Message],
                seed: int | None) -> StrategyPlan[SellerReply]:
    """The seller's offer this round; tit-for-tat reads the prices the buyer proposed to this seller only."""
    move = strategies.seller_move(strategy, seller=seller, stock=stock, wanted=wanted, round_=round_,
                                  max_rounds=max_rounds, style=style, seed=seed or 0,
                                  buyer_prices=strategies.buyer_prices_by_round(transcript, seller, round_))
    price, quantity = move.offer_price, move.offer_quantity
    assert price is not None and quantity is not None  # a strategy seller always makes an offer
    return StrategyPlan(SellerReply(move.message, price, quantity), strategies.seller_instruction(price, quantity),
                        lambda parsed: strategies.check_seller_reply(parsed.message, parsed.offer_price,
                                                                     parsed.offer_quantity, price, quantity))
