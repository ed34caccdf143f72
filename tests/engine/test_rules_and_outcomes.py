"""Binding offers, valid deals, violations (recorded, never binding), the round limit."""
import asyncio

import pytest

from negotiator_app.domain import OutcomeKind, RunState, ViolationKind
from negotiator_app.engine import OfferMade, RunFinished, ViolationRecorded
from tests.engine.support import Script, buyer_requests, cheapest_standing, engine_for, make_config, target
from tests.fakes.fake_lmstudio import FakeLMStudio


def run(config, script):
    with FakeLMStudio() as fake:
        fake.responder = script

        async def main():
            engine, events, client = await engine_for(fake, config)
            room = next(iter(engine.rooms.values()))
            await room.start()
            await client.aclose()
            return room, events
        room, events = asyncio.run(main())
    return room, events, fake


def accept_cheapest(r, body):
    best = cheapest_standing(body)
    return {"decision": "accept", "seller": best[0], "message": "Deal."}


@pytest.mark.parametrize(
    ("offer", "kind"),
    [
        ({"offer_price": 10, "offer_quantity": 2}, ViolationKind.OFFER_BELOW_FLOOR),
        ({"offer_price": 500, "offer_quantity": 2}, ViolationKind.OFFER_ABOVE_ASK),
        ({"offer_price": 90, "offer_quantity": 99}, ViolationKind.OFFER_EXCEEDS_STOCK),
        ({"offer_price": 90, "offer_quantity": 0}, ViolationKind.OFFER_INVALID_QUANTITY),
    ],
)
def test_an_offer_outside_the_sellers_limits_is_a_violation_and_never_binding(offer, kind):
    def sell(name, r, body):
        return {"message": "Here you go.", **offer}

    room, events, fake = run(make_config(1), Script(sell=sell, decide=lambda r, b: {
        "decision": "walk_away", "seller": None, "message": "No."}))
    violations = events.of(ViolationRecorded)
    assert [v.violation.kind for v in violations] == [kind]
    assert violations[0].violation.agent == "Seller A"
    assert [o.offer.binding for o in events.of(OfferMade)] == [False]
    assert room.standing == {}  # not clamped into a binding offer either
    assert "Seller A: no offer" in buyer_requests(fake)[-1]["messages"][-1]["content"]


def test_offers_at_the_exact_limits_bind_and_a_valid_acceptance_makes_a_deal():
    config = make_config(2)
    floors = {s.name: s.inventory[0].least_price for s in config.sellers}

    def sell(name, r, body):
        return {"message": "Floor price.", "offer_price": floors[name], "offer_quantity": 2}

    room, events, _ = run(config, Script(sell=sell, decide=accept_cheapest))
    finished = events.of(RunFinished)[-1]
    assert finished.state == RunState.DECIDED
    assert finished.outcome.kind == OutcomeKind.DEAL
    assert finished.outcome.seller == "Seller A"
    assert finished.outcome.price_per_unit == floors["Seller A"]
    assert finished.outcome.quantity == 2
    assert not events.of(ViolationRecorded)


@pytest.mark.parametrize(
    ("decision", "kind"),
    [
        ({"decision": "accept", "seller": "Nobody Ltd", "message": "Deal!"}, ViolationKind.ACCEPT_UNKNOWN_SELLER),
        ({"decision": "accept", "seller": "Seller B", "message": "Deal!"}, ViolationKind.ACCEPT_NO_OFFER),
    ],
)
def test_accepting_what_was_not_offered_is_refused(decision, kind):
    def sell(name, r, body):
        price = target(body) if name == "Seller A" else None
        return {"message": "Hm.", "offer_price": price, "offer_quantity": None}

    def decide(r, body):
        return decision if r == 1 else {"decision": "walk_away", "seller": None, "message": "Bye."}

    room, events, fake = run(make_config(2), Script(sell=sell, decide=decide))
    kinds = [v.violation.kind for v in events.of(ViolationRecorded)]
    assert kinds[0] == kind
    assert events.of(RunFinished)[-1].outcome.kind == OutcomeKind.NO_DEAL
    # The buyer was told its acceptance was refused.
    assert any("Your acceptance was refused" in b["messages"][-1]["content"] for b in buyer_requests(fake))


def test_accepting_above_max_or_too_few_units_is_refused():
    config = make_config(1, max_price=70, quantity=5)

    def sell(name, r, body):
        return {"message": "Best I can do.", "offer_price": 80 if r == 1 else 65, "offer_quantity": 5 if r == 1 else 3}

    def decide(r, body):
        if r <= 2:
            return {"decision": "accept", "seller": "Seller A", "message": "Deal."}
        return {"decision": "walk_away", "seller": None, "message": "Bye."}

    room, events, _ = run(config, Script(sell=sell, decide=decide))
    kinds = [v.violation.kind for v in events.of(ViolationRecorded)]
    assert ViolationKind.ACCEPT_ABOVE_MAX in kinds
    assert ViolationKind.ACCEPT_INSUFFICIENT_QUANTITY in kinds
    assert room.outcome.kind == OutcomeKind.NO_DEAL


def test_round_limit_forces_a_final_decision_without_continue():
    room, events, fake = run(make_config(2, rounds=3), Script())
    assert room.state == RunState.NO_DEAL
    assert events.of(RunFinished)[-1].rounds == 3
    last = buyer_requests(fake)[-1]
    assert last["response_format"]["json_schema"]["schema"]["properties"]["decision"]["enum"] == ["accept", "walk_away"]
    assert len(buyer_requests(fake)) == 1 + 3  # opening + one decision per round
