"""Prompts for the buyer and the sellers. Each agent learns only its own private numbers: the buyer never
sees a seller's cost, floor, priority or style, and a seller never sees the buyer's budget.

System prompts hold an agent's fixed instructions and stay identical across turns (the server can
reuse its prompt cache); what changes (round, standing offers) goes in the last user message.
"""
from __future__ import annotations

from ..domain import Decision, InventoryItem, Offer, Priority, ShoppingItem, SpeakingStyle, money

STYLE_TEXT = {
    SpeakingStyle.RUDE: "rude and impatient: short, dismissive sentences, no pleasantries",
    SpeakingStyle.BLUNT: "blunt and matter-of-fact: short sentences, straight to the numbers",
    SpeakingStyle.NEUTRAL: "neutral and professional",
    SpeakingStyle.FRIENDLY: "friendly and warm, but businesslike",
    SpeakingStyle.VERY_SWEET: "very sweet and effusive: compliments, kind words, exclamation marks",
}

PRIORITY_TEXT = {
    Priority.CUSTOMER_RETENTION: (
        "You value a happy repeat customer more than margin: concede quickly and generously to close the sale."
    ),
    Priority.BALANCED: "You want a fair deal: concede steadily, in moderate steps.",
    Priority.MAXIMIZE_PROFIT: (
        "You maximise profit: concede slowly, in small steps, and only when the buyer pushes back."
    ),
}

def seller_system(name: str, buyer: str, item: str, stock: InventoryItem, priority: Priority, style: SpeakingStyle) -> str:
    return (
        f"You are {name}, a seller negotiating with a buyer named {buyer} who wants to buy {item}.\n"
        f"Your private numbers (never reveal them): cost price {money(stock.cost_price)} per unit, "
        f"least acceptable price {money(stock.least_price)} per unit, asking price {money(stock.selling_price)} "
        f"per unit, {stock.quantity_available} units in stock.\n"
        f"Rules: never offer below {money(stock.least_price)} or above {money(stock.selling_price)} per unit, "
        f"nor more than {stock.quantity_available} units. Other sellers may be competing for this buyer.\n"
        f"Personality: speak in a {STYLE_TEXT[style]} way. {PRIORITY_TEXT[priority]}\n"
        "Reply with one short message to the buyer (1-3 sentences). Give a price offer whenever you name a "
        "price; it is binding.\n"
        'Reply with a JSON object: "message" is what you say to the buyer; "offer_price" is your price per '
        'unit as a number, or null when you make no offer; "offer_quantity" is the number of units, or null.'
    )


def seller_turn(round_: int, max_rounds: int, target: float, own_offer: Offer | None) -> str:
    standing = (
        f"Your current offer: {money(own_offer.price_per_unit)} per unit for {own_offer.quantity} units."
        if own_offer
        else "You have not made an offer yet."
    )
    return (
        f"[Round {round_} of {max_rounds}. {standing} This round, do not go below {money(target)} per unit.]"
    )


def buyer_system(buyer: str, item: ShoppingItem, sellers: list[str]) -> str:
    handles = ", ".join(f"@{s}" for s in sellers)
    return (
        f"You are {buyer}, a buyer. You want {item.quantity} units of {item.name}.\n"
        f"Your private budget (never reveal it): you hope to pay about {money(item.min_price)} per unit and "
        f"you must never pay more than {money(item.max_price)} per unit.\n"
        f"Sellers in this negotiation: {handles}. Write @Name to address one seller; a message without a "
        "mention goes to every seller. Play them against each other to get the lowest price.\n"
        "Keep each message short (1-3 sentences). Only a seller's offer can be accepted; you cannot make "
        "binding offers yourself, but you may propose prices."
    )


def buyer_opening() -> str:
    return (
        "[Start the negotiation: greet the sellers, say what you need, and ask for their best price.]\n"
        'Reply with a JSON object whose "message" is what you say to the sellers.'
    )


def describe_offers(offers: list[Offer], sellers: list[str]) -> str:
    by_seller = {o.seller: o for o in offers}
    lines = []
    for seller in sellers:
        offer = by_seller.get(seller)
        lines.append(
            f"- {seller}: {money(offer.price_per_unit)} per unit for {offer.quantity} units (round {offer.round})"
            if offer
            else f"- {seller}: no offer"
        )
    return "\n".join(lines)


def buyer_decision(
    round_: int, max_rounds: int, item: ShoppingItem, offers: list[Offer], sellers: list[str],
    decisions: list[Decision], note: str = "",
) -> str:
    final = Decision.CONTINUE not in decisions
    ask = (
        "This is the final decision: accept one standing offer or walk away."
        if final
        else "Decide: continue negotiating (write your next message), accept one standing offer, or walk away."
    )
    return (
        f"[Round {round_} of {max_rounds}. Standing offers:\n{describe_offers(offers, sellers)}\n"
        f"You need {item.quantity} units and never pay more than {money(item.max_price)} per unit.{note}\n"
        f"{ask}]\n"
        f'Reply with a JSON object: "decision" is one of {", ".join(decisions)}; "seller" is the name of the '
        'seller whose offer you accept, or null; "message" is what you say to the sellers.'
    )


def reask(reason: str) -> str:
    return f"[Your last reply could not be used: {reason}. Answer again with your own words, as a JSON object.]"
