"""Short messages for strategy agents: sellers speak in their style; every message states its offer.

A language-model buyer facing a strategy seller reads an ordinary message; the offer itself travels
in the reply's offer fields, exactly as from a model. Templates never mention cost, floor or max.
"""
from __future__ import annotations

import random

from ..domain import SpeakingStyle

# Placeholders: {price} per unit, {qty} units, {item}.
FIRST = "first"  # the seller's first offer in this run
LOWER = "lower"  # a lower price than its last offer
HOLD = "hold"  # the same price as its last offer

SELLER_TEMPLATES: dict[SpeakingStyle, dict[str, tuple[str, ...]]] = {
    SpeakingStyle.RUDE: {
        FIRST: ("{price} per unit for {qty} units. Take it or leave it.",
                "It's {price} per unit, {qty} units. Don't waste my time."),
        LOWER: ("Fine. {price} per unit for {qty} units. Don't push it.",
                "Ugh. {price} per unit, {qty} units. That's it."),
        HOLD: ("Still {price} per unit for {qty} units. Deal with it.",
               "I said {price} per unit for {qty} units. Not moving."),
    },
    SpeakingStyle.BLUNT: {
        FIRST: ("{price} per unit for {qty} units.", "Price: {price} per unit, {qty} units."),
        LOWER: ("New price: {price} per unit for {qty} units.", "I can do {price} per unit for {qty} units."),
        HOLD: ("My price stays {price} per unit for {qty} units.", "Still {price} per unit for {qty} units."),
    },
    SpeakingStyle.NEUTRAL: {
        FIRST: ("I can offer {qty} units of {item} at {price} per unit.",
                "My offer is {price} per unit for {qty} units."),
        LOWER: ("I can come down to {price} per unit for {qty} units.",
                "My revised offer is {price} per unit for {qty} units."),
        HOLD: ("My offer remains {price} per unit for {qty} units.",
               "I'll keep my offer at {price} per unit for {qty} units."),
    },
    SpeakingStyle.FRIENDLY: {
        FIRST: ("Happy to help! I can offer {qty} units of {item} at {price} per unit.",
                "Thanks for asking! My offer is {price} per unit for {qty} units."),
        LOWER: ("Good news: I can come down to {price} per unit for {qty} units.",
                "For you, {price} per unit for {qty} units. How does that sound?"),
        HOLD: ("I'd love to make it work, but {price} per unit for {qty} units is my offer for now.",
               "I'm keeping it at {price} per unit for {qty} units, which is a fair price."),
    },
    SpeakingStyle.VERY_SWEET: {
        FIRST: ("Oh, how lovely to hear from you! I'd be delighted to offer {qty} units of {item} at just "
                "{price} per unit!",
                "Hello, dear! For you, {price} per unit for {qty} units. It would be a joy!"),
        LOWER: ("Because you're so wonderful, I can come down to {price} per unit for {qty} units!",
                "Anything for you, dear! {price} per unit for {qty} units!"),
        HOLD: ("I truly wish I could do more, sweetie! {price} per unit for {qty} units is my very best for now.",
               "You're a delight! I'll happily hold {price} per unit for {qty} units for you!"),
    },
}

BUYER_TEMPLATES: dict[str, tuple[str, ...]] = {
    "open": ("Hello everyone. I need {qty} units of {item}. I'm looking at about {price} per unit. "
             "What's your best offer?",
             "Hi all, I'm buying {qty} units of {item} and hoping for around {price} per unit. Your best prices?"),
    "counter": ("@{seller} I can do {price} per unit for {qty} units. Can you meet me there?",
                "@{seller} Your price is too high for me. Would you take {price} per unit for {qty} units?"),
    "counter_all": ("I still need {qty} units of {item}. Who can do {price} per unit?",
                    "Anyone able to offer {qty} units at {price} per unit?"),
    "accept": ("@{seller} Deal: {price} per unit for {qty} units. Thank you!",
               "@{seller} I accept your offer of {price} per unit for {qty} units."),
    "walk_away": ("Thank you all, but I can't agree at these prices. I'll pass this time.",
                  "No deal for me this time. Thanks for your offers."),
}


def turn_rng(seed: int | str, agent: str, round_: int) -> random.Random:
    """The only randomness of a strategy is its choice of words: one generator per agent and round, so
    the same seed replays the same words whatever the order in which agents are asked (a string seed
    hashes the same in every process, unlike hash())."""
    return random.Random(f"{seed}|{agent}|{round_}")


def format_price(price: float) -> str:
    """Cents as usual ("12.50"); a price with more decimals keeps them, so the text states it exactly."""
    text = f"{price:,.2f}"
    if abs(float(text.replace(",", "")) - price) > 1e-9:
        text = f"{price:,.6f}".rstrip("0")
    return text


def seller_message(style: SpeakingStyle, situation: str, price: float, qty: int, item: str, rng: random.Random) -> str:
    template = rng.choice(SELLER_TEMPLATES[style][situation])
    return template.format(price=format_price(price), qty=qty, item=item)


def buyer_message(situation: str, rng: random.Random, *, price: float = 0.0, qty: int = 1, item: str = "",
                  seller: str = "") -> str:
    template = rng.choice(BUYER_TEMPLATES[situation])
    return template.format(price=format_price(price), qty=qty, item=item, seller=seller)
