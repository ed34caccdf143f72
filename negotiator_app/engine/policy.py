"""The engine's negotiation policy: what the buyer may decide when, how often an agent is asked again,
when silence ends a run, and how fast sellers concede.

These are choices, tuned to make runs with small local models finish sensibly; they can change. The rules
that can never be broken (binding offers, valid deals) are not here but in domain/rules.py.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from ..domain import Decision, InventoryItem, Priority

# The buyer's opening message cannot end the run: it only starts the conversation.
OPENING_DECISIONS: tuple[Decision, ...] = (Decision.CONTINUE,)
# When the buyer must end the run now (at the round limit, or when the person asks it to decide).
FINAL_DECISIONS: tuple[Decision, ...] = (Decision.ACCEPT, Decision.WALK_AWAY)
ROUND_DECISIONS: tuple[Decision, ...] = (Decision.CONTINUE, *FINAL_DECISIONS)

# Refused acceptances within one decision after which accepting is taken off the table for that decision:
# a buyer that keeps accepting what it may not gets no third try at it.
REFUSAL_CAP = 2

# Rounds in a row in which no addressed seller answered before the run ends in error.
SILENT_ROUNDS_LIMIT = 3

# Pauses (seconds) before asking the buyer again when its turn fails at the server; one more try than delays.
BUYER_RETRY_DELAYS: tuple[float, ...] = (1.0, 3.0)

# Tries per turn when a reply cannot be read: the first, and one re-ask saying what was wrong.
READ_ATTEMPTS = 2


def allowed_decisions(round_: int, max_rounds: int, refusals: int = 0) -> list[Decision]:
    """What the buyer may decide at the end of `round_`: no `continue` at the round limit, no `accept`
    once REFUSAL_CAP acceptances were refused in this decision."""
    decisions = list(FINAL_DECISIONS if round_ >= max_rounds else ROUND_DECISIONS)
    if refusals >= REFUSAL_CAP:
        decisions.remove(Decision.ACCEPT)
    return decisions


def coerce_decision(said: str, allowed: Sequence[str]) -> str:
    """Read a decision the buyer may not take this turn as the nearest one it may: wanting to go on past the
    round limit means no deal; accepting when accepting is off the table means keep talking. Anything else is
    returned as said (the caller refuses what is still not allowed)."""
    if said == Decision.CONTINUE and Decision.CONTINUE not in allowed and Decision.WALK_AWAY in allowed:
        return Decision.WALK_AWAY
    if said == Decision.ACCEPT and Decision.ACCEPT not in allowed and Decision.CONTINUE in allowed:
        return Decision.CONTINUE
    return said


# Share of the gap between asking price and floor a seller is willing to give up by a point of the run
# (0 = first round, 1 = last). Set in code so that priorities concede visibly differently even on small models:
# customer retention concedes early (Conceder), balanced steadily (Linear), profit late (Boulware).
CONCESSION_SCHEDULE: dict[Priority, Callable[[float], float]] = {
    Priority.CUSTOMER_RETENTION: lambda t: t**0.5,
    Priority.BALANCED: lambda t: t,
    Priority.MAXIMIZE_PROFIT: lambda t: t**2,
}


def seller_target(stock: InventoryItem, priority: Priority, round_: int, max_rounds: int) -> float:
    """The lowest price the seller should go to this round; never below its floor, never above its ask."""
    progress = min(1.0, max(0.0, round_ / max(1, max_rounds)))
    conceded = CONCESSION_SCHEDULE[priority](progress)
    return round(stock.selling_price - (stock.selling_price - stock.least_price) * conceded, 2)
