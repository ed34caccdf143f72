"""The engine's policy, observed through a real run against the fake LM Studio: what the buyer may decide at
each point, the refusal cap, the sellers' concession schedule, and accept → check → deal for every caller."""
import asyncio
import json

from negotiator_app.domain import DecidedBy, Decision, OutcomeKind, ViolationKind
from negotiator_app.engine import DecisionMade, ForceAccept, ForceBuyerDecides, OfferMade, ViolationRecorded, policy
from tests.engine.support import Script, buyer_requests, engine_for, make_config, round_of, seller_requests
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.hardening.support import Harness


def allowed_in(body: dict) -> list[str]:
    """The decisions the buyer was allowed in a request, as they crossed the wire."""
    return body["response_format"]["json_schema"]["schema"]["properties"]["decision"]["enum"]


def run_room(config, script, *, on_event=None):
    with FakeLMStudio() as fake:
        fake.responder = script

        async def main():
            engine, events, client = await engine_for(fake, config)
            room = next(iter(engine.rooms.values()))
            if on_event:
                engine.bus.subscribe(lambda e: on_event(room, e))
            await asyncio.wait_for(room.start(), 30)
            await client.aclose()
            return room, events
        room, events = asyncio.run(main())
    return room, events, fake


# ----- what the buyer may decide ------------------------------------------------------------------------


def test_before_the_round_limit_the_buyer_may_continue_accept_or_walk_away_and_at_it_only_accept_or_walk_away():
    room, events, fake = run_room(make_config(1, rounds=3), Script())
    decisions = [allowed_in(b) for b in buyer_requests(fake)[1:]]  # after the opening
    assert decisions == [["continue", "accept", "walk_away"]] * 2 + [["accept", "walk_away"]]
    # The scripted buyer still says "continue" at the limit: that is read as walking away, not as an error.
    last = events.of(DecisionMade)[-1]
    assert (last.decision, last.by, last.round) == (Decision.WALK_AWAY, DecidedBy.AI, 3)
    assert room.outcome.kind == OutcomeKind.NO_DEAL and room.outcome.reason == "the buyer walked away at the round limit"


def test_the_opening_cannot_end_the_run():
    script = Script()
    script.opening = json.dumps({"decision": "accept", "seller": "Seller A", "message": "I accept right away."})
    room, events, fake = run_room(make_config(1, rounds=1), script)
    opening = buyer_requests(fake)[0]
    assert "decision" not in opening["response_format"]["json_schema"]["schema"]["properties"]
    assert not events.of(ViolationRecorded)  # the "accept" in the opening was not taken as a decision
    assert events.of(DecisionMade)[0].decision == Decision.WALK_AWAY  # the run ended at round 1's decision


def test_after_the_refusal_cap_the_buyer_may_no_longer_accept_in_that_decision():
    def decide(r, body):
        if "accept" in allowed_in(body):
            return {"decision": "accept", "seller": "Nobody Ltd", "message": "Deal with Nobody."}
        return {"decision": "walk_away", "seller": None, "message": "Then I leave."}

    room, events, fake = run_room(make_config(1, rounds=5), Script(decide=decide))
    requests = buyer_requests(fake)[1:]
    assert [allowed_in(b) for b in requests] == (
        [["continue", "accept", "walk_away"]] * policy.REFUSAL_CAP + [["continue", "walk_away"]]
    )
    assert all(round_of(b) == 1 for b in requests)  # refusals re-ask within the same decision
    refused = [e for e in events.of(DecisionMade) if e.decision == Decision.REFUSED]
    assert len(refused) == policy.REFUSAL_CAP and {e.seller for e in refused} == {"Nobody Ltd"}
    assert [v.violation.kind for v in events.of(ViolationRecorded)] == (
        [ViolationKind.ACCEPT_UNKNOWN_SELLER] * policy.REFUSAL_CAP
    )
    assert "Your acceptance was refused" in requests[-1]["messages"][-1]["content"]
    assert room.outcome.kind == OutcomeKind.NO_DEAL


def test_accepting_when_accepting_is_off_the_table_means_going_on_talking():
    """Past the cap a buyer that still says "accept" is read as continuing (the policy's coercion)."""
    def decide(r, body):
        if r >= 2:
            return {"decision": "walk_away", "seller": None, "message": "Bye."}
        return {"decision": "accept", "seller": "Nobody Ltd", "message": "Deal with Nobody."}

    room, events, fake = run_room(make_config(1, rounds=5), Script(decide=decide))
    continued = [e for e in events.of(DecisionMade) if e.decision == Decision.CONTINUE]
    assert [(e.round, e.by) for e in continued] == [(1, DecidedBy.AI)]
    assert len(events.of(ViolationRecorded)) == policy.REFUSAL_CAP  # the third "accept" was no new violation


# ----- how sellers concede ------------------------------------------------------------------------------

# make_config: Seller A (customer retention) floor 60 / ask 120, Seller B (balanced) 65 / 125,
# Seller C (maximize profit) 70 / 130. Over 4 rounds: retention gives up sqrt(r/4) of the gap, balanced r/4,
# profit (r/4)^2 — so retention concedes early, profit late, and all reach the floor in the last round.
EXPECTED_TARGETS = {
    "Seller A": [90.00, 77.57, 68.04, 60.00],
    "Seller B": [110.00, 95.00, 80.00, 65.00],
    "Seller C": [126.25, 115.00, 96.25, 70.00],
}


def test_each_priority_concedes_on_its_own_schedule_down_to_the_floor_in_the_last_round():
    room, events, fake = run_room(make_config(3, rounds=4), Script())
    for seller, expected in EXPECTED_TARGETS.items():
        said = [b["messages"][-1]["content"] for b in seller_requests(fake, seller)]
        targets = [float(s.split("do not go below ")[1].split(" per unit")[0].replace(",", "")) for s in said]
        assert targets == expected, seller
        # The scripted sellers offer exactly their target: the offers follow the schedule too.
        assert [o.offer.price_per_unit for o in events.of(OfferMade) if o.offer.seller == seller] == expected


# ----- accept → check → deal, through every caller ------------------------------------------------------

ABOVE_MAX = 110.0  # Seller A's ask is 120: a binding offer, but above the buyer's max of 100


def sell_above_max_from_round(first_round: int):
    def sell(name, r, body):
        price = 90.0 if r < first_round else ABOVE_MAX
        return {"message": f"{price} per unit.", "offer_price": price, "offer_quantity": None}
    return sell


def test_the_ai_buyers_invalid_acceptance_is_refused_and_it_is_asked_again():
    def decide(r, body):
        if "accept" in allowed_in(body) and r == 1:
            return {"decision": "accept", "seller": "Seller A", "message": "Deal."}
        return {"decision": "walk_away", "seller": None, "message": "Bye."}

    room, events, _ = run_room(make_config(1), Script(sell=sell_above_max_from_round(0), decide=decide))
    assert [v.violation.kind for v in events.of(ViolationRecorded)][0] == ViolationKind.ACCEPT_ABOVE_MAX
    refused = [e for e in events.of(DecisionMade) if e.decision == Decision.REFUSED][0]
    assert (refused.by, refused.seller) == (DecidedBy.AI, "Seller A")
    assert room.outcome.kind == OutcomeKind.NO_DEAL
    assert not [e for e in events.of(DecisionMade) if e.decision == Decision.ACCEPT]


def test_a_forced_buyer_decision_with_an_invalid_acceptance_ends_without_a_deal():
    def decide(r, body):
        if allowed_in(body) == ["accept", "walk_away"]:
            return {"decision": "accept", "seller": "Seller A", "message": "I'll take it."}
        return {"decision": "continue", "seller": None, "message": "Keep going."}

    forced = []

    def on_event(room, event):  # the person presses "Let the buyer decide now" as Seller A's offer arrives
        if isinstance(event, OfferMade) and not forced:
            forced.append(room.force(ForceBuyerDecides()))

    room, events, _ = run_room(make_config(1), Script(sell=sell_above_max_from_round(0), decide=decide),
                               on_event=on_event)
    assert [v.violation.kind for v in events.of(ViolationRecorded)] == [ViolationKind.ACCEPT_ABOVE_MAX]
    last = events.of(DecisionMade)[-1]
    assert (last.decision, last.by) == (Decision.WALK_AWAY, DecidedBy.AI)
    assert room.outcome.kind == OutcomeKind.NO_DEAL
    assert room.outcome.reason.startswith("the buyer's acceptance was refused: max price 100.00")


def test_a_forced_acceptance_of_an_offer_that_changed_meanwhile_is_refused():
    """The person accepts Seller A's valid offer in the very moment Seller A replaces it with one above the
    buyer's max (the event arrives before the offer stands): the deal is checked again when it is made."""
    forced = []

    def on_event(room, event):
        if isinstance(event, OfferMade) and event.offer.price_per_unit == ABOVE_MAX and not forced:
            forced.append(room.force(ForceAccept("Seller A")))  # accepted: the 90.00 offer stands at this instant

    room, events, _ = run_room(make_config(1), Script(sell=sell_above_max_from_round(2)), on_event=on_event)
    assert [v.violation.kind for v in events.of(ViolationRecorded)] == [ViolationKind.ACCEPT_ABOVE_MAX]
    last = events.of(DecisionMade)[-1]
    assert (last.decision, last.by) == (Decision.WALK_AWAY, DecidedBy.FORCED)
    assert room.outcome.kind == OutcomeKind.NO_DEAL
    assert room.outcome.reason == "forced acceptance refused: max price 100.00"


# ----- stored strings stay what they were ---------------------------------------------------------------


def test_decisions_are_stored_with_the_same_words_as_before(tmp_path):
    def decide(r, body):
        if r == 1 and "accept" in allowed_in(body):
            return {"decision": "accept", "seller": "Nobody", "message": "Deal?"}
        if r == 1:
            return {"decision": "continue", "seller": None, "message": "Lower."}
        return {"decision": "accept", "seller": "Seller A", "message": "Deal."}

    with FakeLMStudio() as fake:
        fake.responder = Script(decide=decide)

        async def main():
            h = await Harness.open(fake.base_url, make_config(1), tmp_path / "n.db", model="fake-model")
            await h.run_all()
            run_id = h.room.run_id
            await h.close(close_store=False)
            try:
                return h.store.load_run(run_id)
            finally:
                h.store.close()
        record = asyncio.run(main())
    stored = [(e.text, json.loads(e.detail)["by"]) for e in record.events if e.kind == "decision"]
    assert stored == [("refused", "ai"), ("refused", "ai"), ("continue", "ai"), ("accept", "ai")]
