"""Whatever the scenario, whole runs of strategy agents through the engine keep the rules: every offer is
binding (within its seller's floor, ask and stock), a deal is at or below the buyer's max, and the run ends."""
from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negotiator_app.domain import (
    AgentConfig, Buyer, InventoryItem, LLMSettings, OutcomeKind, RunState, Seller, SellerProfile, SessionConfig,
    ShoppingItem, SpeakingStyle, StrategyKind,
)
from negotiator_app.engine import OfferMade, ViolationRecorded
from tests.engine.support import engine_for
from tests.engine.test_agents import NoServer

prices = st.floats(min_value=0.5, max_value=5000, allow_nan=False, allow_infinity=False)
ratios = st.floats(min_value=1.01, max_value=3.0, allow_nan=False, allow_infinity=False)
families = st.sampled_from(list(StrategyKind))


@st.composite
def scenarios(draw) -> SessionConfig:
    cost = round(draw(prices), 2)
    sellers = []
    for i in range(draw(st.integers(1, 4))):
        least = round(cost * draw(ratios), 2)
        ask = round(least * draw(ratios), 2)
        sellers.append(Seller(
            name=f"Seller {i + 1}", profile=SellerProfile(speaking_style=draw(st.sampled_from(list(SpeakingStyle)))),
            inventory=[InventoryItem(name="Widget", cost_price=cost, least_price=least, selling_price=ask,
                                     quantity_available=draw(st.integers(1, 30)))],
            agent=AgentConfig(kind="strategy", strategy={"kind": draw(families)})))
    low = round(cost * draw(st.floats(0.5, 1.5)), 2)
    high = round(low * draw(ratios) + 0.01, 2)
    buyer = Buyer(name="Buyer", items=[ShoppingItem(name="Widget", quantity=draw(st.integers(1, 10)),
                                                    min_price=low, max_price=high)],
                  agent=AgentConfig(kind="strategy", strategy={"kind": draw(families)}))
    return SessionConfig(name="property", buyer=buyer, sellers=sellers,
                         llm=LLMSettings(max_rounds=draw(st.integers(1, 12))))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=scenarios(), seed=st.integers(0, 2**31 - 1))
def test_strategy_runs_keep_every_rule(config, seed):
    async def main():
        engine, events, client = await engine_for(NoServer(), config)
        rooms = list(engine.rooms.values())
        states = [await room.start(seed=seed) for room in rooms]
        await client.aclose()
        return rooms, events, states

    rooms, events, states = asyncio.run(main())
    assert all(state in (RunState.DECIDED, RunState.NO_DEAL) for state in states)
    assert events.of(ViolationRecorded) == []
    for offer in (e.offer for e in events.of(OfferMade)):
        stock = config.seller(offer.seller).inventory[0]
        assert offer.binding
        assert stock.least_price <= offer.price_per_unit <= stock.selling_price
        assert offer.quantity <= stock.quantity_available
    for room in rooms:
        if room.outcome.kind == OutcomeKind.DEAL:
            assert room.outcome.price_per_unit <= config.buyer.items[0].max_price
