"""The engine's negotiation policy: what the buyer may decide when, how often an agent is asked again,
when silence ends a run, and how fast sellers concede.

These are choices, tuned to make runs with small local models finish sensibly; they can change. The rules
that can never be broken (binding offers, valid deals) are not here but in domain/rules.py.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..domain import Decision, InventoryItem, Priority
from ..strategies.tactics import seller_price

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


# How a model seller's priority concedes, as the exponent e of a time-dependent tactic: by round r of T it
# gives up (r/T)^(1/e) of the gap between its ask and its floor. Set in code so that priorities concede visibly
# differently even on small models: customer retention early (Conceder, e > 1), balanced steadily (Linear),
# profit late (Boulware, e < 1). Every seller reaches its floor in the last round.
CONCESSION_EXPONENT: dict[Priority, float] = {
    Priority.CUSTOMER_RETENTION: 2.0,
    Priority.BALANCED: 1.0,
    Priority.MAXIMIZE_PROFIT: 0.5,
}


def seller_target(stock: InventoryItem, priority: Priority, round_: int, max_rounds: int) -> float:
    """The lowest price the seller should go to this round; never below its floor, never above its ask."""
    return seller_price(stock.least_price, stock.selling_price, round_, max_rounds, CONCESSION_EXPONENT[priority])
