"""The seam for hybrid agents: a strategy decides the price, a language model writes the words.

`*_instruction` builds what the model is told; `check_*_reply` tells whether its reply kept to the
decided move (a reason to re-ask it, or None). No model is called here.
"""
from __future__ import annotations

from ..domain import Decision, parse_mentions
from ..domain.names import normalize_name
from .buyer import BuyerMove
from .numbers import CENT_TOLERANCE, states_price
from .templates import format_price


def seller_instruction(price: float, quantity: int) -> str:
    p = format_price(price)
    return (
        f"[Write your reply to the buyer in your own style. You must offer exactly {p} per unit for {quantity} "
        f"units: state that price in your message, and set offer_price to {p} and offer_quantity to {quantity}. "
        "Do not mention any other price of yours.]"
    )


def check_seller_reply(message: str, offer_price: float | None, offer_quantity: int | None, price: float,
                       quantity: int) -> str | None:
    p = format_price(price)
    if offer_price is None or abs(offer_price - price) >= CENT_TOLERANCE:
        return f"offer_price must be exactly {p}"
    if offer_quantity != quantity:
        return f"offer_quantity must be exactly {quantity}"
    if not states_price(message, price):
        return f"the message must state the price {p} per unit"
    return None


def buyer_instruction(move: BuyerMove) -> str:
    if move.decision == Decision.ACCEPT:
        return (f"[Write a short message accepting @{move.seller}'s offer. Reply with decision accept and "
                f"seller {move.seller}.]")
    if move.decision == Decision.CONTINUE:
        p = format_price(move.counter_price or 0.0)
        to = f"Address @{move.addressed} and propose" if move.addressed else "Propose to every seller"
        return (f"[Write your next message. {to} exactly {p} per unit: state that price in your message. "
                "Do not reveal your max price. Reply with decision continue.]")
    return "[Write a short message ending the negotiation without a deal. Reply with decision walk_away.]"


def check_buyer_reply(message: str, decision: str, seller: str | None, move: BuyerMove) -> str | None:
    if decision != move.decision:
        return f"the decision must be {move.decision}"
    if move.decision == Decision.ACCEPT and normalize_name(seller or "") != normalize_name(move.seller or ""):
        return f"the seller accepted must be {move.seller}"
    if move.decision != Decision.CONTINUE:
        return None
    if move.counter_price is not None and not states_price(message, move.counter_price):
        return f"the message must state the price {format_price(move.counter_price)} per unit"
    if move.addressed and not parse_mentions(message, [move.addressed]).sellers:
        return f"the message must address @{move.addressed}"
    return None
