"""Concession tactics as pure arithmetic: time-dependent F(t) and relative tit-for-tat.

Time-dependent tactics (Faratin, Sierra & Jennings 1998, "Negotiation decision functions for
autonomous agents"; the same functions as GENIUS's TimeDependentAgent and NegMAS's time-based
negotiators):

    F(t) = k + (1 - k) * (t / T) ** (1 / e)
    seller price  p(t) = floor + (ask - floor) * (1 - F(t))      (goes down from ask to floor)
    buyer target  b(t) = min   + (max - min)   * F(t)            (goes up from min to max)

with t the current round, T the round limit, e < 1 Boulware, e = 1 Linear, e > 1 Conceder.

Relative tit-for-tat (Faratin et al. 1998, with delta = 1): an agent reproduces, in percentage
terms, the other side's last move: seller s_r = s_{r-1} * b_{r-1} / b_r. Only concessions are
mirrored; a retreat by the other side leaves the price where it was, because an offer already made
is not taken back (NegMAS's tit-for-tat does the same unless told to punish).
"""
from __future__ import annotations

import math
from collections.abc import Sequence


def concession(round_: int, max_rounds: int, e: float, k: float = 0.0) -> float:
    """F(t) in [k, 1]: the share of the range given up by this round (rounds outside 0..T are clipped)."""
    progress = min(1.0, max(0.0, round_ / max(1, max_rounds)))
    if e == 0:  # GENIUS's special case: a hardliner never moves from its opening
        return k
    return k + (1 - k) * progress ** (1 / e)


def seller_price(floor: float, ask: float, round_: int, max_rounds: int, e: float, k: float = 0.0) -> float:
    return within(floor + (ask - floor) * (1 - concession(round_, max_rounds, e, k)), floor, ask)


def buyer_target(min_price: float, max_price: float, round_: int, max_rounds: int, e: float, k: float = 0.0) -> float:
    return within(min_price + (max_price - min_price) * concession(round_, max_rounds, e, k), min_price, max_price)


def within(price: float, low: float, high: float) -> float:
    """The price in cents, kept inside [low, high] (a bound with more decimals is returned exactly)."""
    return min(high, max(low, round(price, 2)))


def carried_forward(values: Sequence[float | None]) -> list[float | None]:
    """Each round's value, or the last one seen when a round has none (nothing said = nothing moved)."""
    out: list[float | None] = []
    last: float | None = None
    for value in values:
        if value is not None and math.isfinite(value) and value > 0:
            last = value
        out.append(last)
    return out


def seller_tit_for_tat(floor: float, ask: float, buyer_prices: Sequence[float | None]) -> float:
    """The seller's price after mirroring every concession in the buyer's proposals (round 1 first).

    Starts at the ask; each time the buyer's proposal rises from b to b' the price is multiplied by
    b / b'. The result never leaves [floor, ask] and never goes up.
    """
    price = ask
    seen = carried_forward(buyer_prices)
    for before, now in zip(seen, seen[1:]):
        if before is not None and now is not None:
            price = within(price * before / now, floor, price)  # capped at the current price: no retreat
    return within(price, floor, ask)


def buyer_tit_for_tat(min_price: float, max_price: float, best_offers: Sequence[float | None]) -> float:
    """The buyer's target after mirroring every drop in the best seller offer (round 1 first).

    Starts at the buyer's min price; each time the best offer falls from s to s' the target is
    multiplied by s / s'. The result never leaves [min, max] and never goes down.
    """
    target = min_price
    seen = carried_forward(best_offers)
    for before, now in zip(seen, seen[1:]):
        if before is not None and now is not None:
            target = within(target * before / now, target, max_price)  # floored at the current target
    return within(target, min_price, max_price)
