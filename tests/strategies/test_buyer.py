"""Strategy buyers: accept the best valid offer at or below target, counter the best seller, walk away at the limit."""
import json

import pytest

from negotiator_app.domain import Decision, Offer, ShoppingItem, check_acceptance, parse_mentions
from negotiator_app.engine.protocol import BuyerReply, parse_buyer_reply
from negotiator_app.strategies import (
    StrategyConfig, StrategyKind, buyer_move, buyer_opening, buyer_secrets,
    find_disclosures, proposed_price, target_price,
)

ITEM = ShoppingItem(name="USB 3 hub", quantity=5, min_price=10, max_price=20)
LINEAR = StrategyConfig(kind=StrategyKind.LINEAR)
SELLERS = ["Acme", "Bolt", "Cory", "Dune"]


def offer(seller, price, quantity=5, round_=1, seq=1, binding=True):
    return Offer(seller=seller, price_per_unit=price, quantity=quantity, round=round_, message_seq=seq, binding=binding)


def decide(standing, round_=5, strategy=LINEAR, **kw):
    return buyer_move(strategy, buyer="Pat", item=ITEM, round_=round_, max_rounds=10, standing=standing, seed=1, **kw)


def test_accepts_the_best_valid_offer_at_or_below_its_target():
    # linear target at t = 5 of 10: 10 + 10 * 0.5 = 15
    m = decide({"Acme": offer("Acme", 15.0), "Bolt": offer("Bolt", 14.5, seq=2)})
    assert (m.decision, m.seller) == (Decision.ACCEPT, "Bolt")
    assert "@Bolt" in m.message and proposed_price(m.message) == 14.5


def test_invalid_offers_are_never_accepted_however_cheap():
    standing = {
        "Acme": offer("Acme", 11, quantity=3),  # too few units
        "Bolt": offer("Bolt", 10, binding=False),  # not binding (outside the seller's limits)
        "Cory": offer("Cory", 25),  # above the buyer's max
    }
    m = decide(standing)
    assert m.decision == Decision.CONTINUE
    m = decide(standing, round_=10)
    assert m.decision == Decision.WALK_AWAY


def test_above_target_it_counters_the_seller_with_the_best_standing_offer():
    m = decide({"Acme": offer("Acme", 17), "Bolt": offer("Bolt", 16, seq=2), "Cory": offer("Cory", 12, quantity=1)})
    assert (m.decision, m.seller, m.addressed, m.counter_price) == (Decision.CONTINUE, None, "Bolt", 15.0)
    assert parse_mentions(m.message, SELLERS).sellers == ["Bolt"]
    assert proposed_price(m.message) == 15.0


def test_with_only_unacceptable_offers_it_still_addresses_the_lowest_binding_one():
    m = decide({"Acme": offer("Acme", 22), "Bolt": offer("Bolt", 21, quantity=2, seq=2)})
    assert m.addressed == "Bolt"


def test_with_no_offer_it_asks_every_seller():
    m = decide({})
    assert (m.decision, m.addressed, m.counter_price) == (Decision.CONTINUE, None, 15.0)
    assert parse_mentions(m.message, SELLERS).sellers == []  # a message without mention goes to everyone
    assert proposed_price(m.message) == 15.0


def test_at_the_round_limit_it_accepts_any_valid_offer_or_walks_away():
    assert decide({"Acme": offer("Acme", 20)}, round_=10).decision == Decision.ACCEPT  # F(T) = 1: the target is the max
    assert decide({}, round_=10).decision == Decision.WALK_AWAY
    assert decide({"Acme": offer("Acme", 20.01)}, round_=10).decision == Decision.WALK_AWAY


def test_ties_go_to_the_earlier_offer():
    m = decide([offer("Bolt", 14, round_=3, seq=9), offer("Acme", 14, round_=3, seq=4), offer("Cory", 14, round_=4, seq=2)])
    assert m.seller == "Acme"


@pytest.mark.parametrize("kind", list(StrategyKind))
def test_buyers_never_go_down(kind):
    history = [offer("Acme", p, round_=r, seq=r) for r, p in enumerate([20, 19, 19.5, 17, 18, 16, 15, 16, 14, 13], 1)]
    targets = [target_price(StrategyConfig(kind=kind), ITEM, r, 10, [o for o in history if o.round <= r])
               for r in range(1, 11)]
    assert targets == sorted(targets)
    assert targets[0] < targets[-1] == ITEM.max_price


def test_tit_for_tat_buyer_mirrors_the_sellers_drops():
    tft = StrategyConfig(kind=StrategyKind.TIT_FOR_TAT)
    history = [offer("Acme", 20, round_=1), offer("Bolt", 16, round_=2), offer("Acme", 18, round_=2),
               offer("Acme", 12.5, round_=4)]
    # best per round 20, 16, (none), 12.5: 10 -> 10 * 20/16 = 12.5 -> 12.5 -> 12.5 * 16/12.5 = 16
    assert [target_price(tft, ITEM, r, 10, history) for r in (1, 2, 3, 4)] == [10, 12.5, 12.5, 16]
    assert decide({"Acme": offer("Acme", 16, round_=4)}, round_=4, strategy=tft, history=history).decision == Decision.ACCEPT
    assert decide({"Acme": offer("Acme", 16.5, round_=4)}, round_=4, strategy=tft, history=history).counter_price == 16


def test_the_engine_reads_a_strategy_decision_exactly_as_a_models():
    for m in (decide({"Acme": offer("Acme", 14)}), decide({"Acme": offer("Acme", 17)}), decide({}, round_=10)):
        raw = json.dumps({"decision": m.decision, "seller": m.seller, "message": m.message})
        allowed = [Decision.CONTINUE, Decision.ACCEPT, Decision.WALK_AWAY]
        assert parse_buyer_reply(raw, allowed) == BuyerReply(m.message, m.decision, m.seller)
    accepted = decide({"Acme": offer("Acme", 14)})
    deal, violation = check_acceptance("Pat", ITEM, accepted.seller, {"Acme": offer("Acme", 14)}, SELLERS, 5)
    assert violation is None and deal.seller == "Acme"


def test_opening_goes_to_everyone_at_the_starting_target():
    m = buyer_opening(LINEAR, buyer="Pat", item=ITEM, max_rounds=10, seed=1)
    assert (m.decision, m.addressed, m.counter_price) == (Decision.CONTINUE, None, 10.0)  # F(0) = k = 0: the min price
    assert "5 units of USB 3 hub" in m.message and proposed_price(m.message) == 10.0
    shifted = StrategyConfig(kind=StrategyKind.LINEAR, initial_concession=0.25)
    assert buyer_opening(shifted, buyer="Pat", item=ITEM, max_rounds=10).counter_price == 12.5  # 10 + 10 * 0.25
    # Even in a one-round run the opening does not name the max.
    single = buyer_opening(LINEAR, buyer="Pat", item=ITEM, max_rounds=1, seed=1)
    assert single.counter_price == 10 and find_disclosures(single.message, buyer_secrets(ITEM), public=[ITEM.name]) == []


def test_same_seed_same_decision_and_words():
    standing = {"Acme": offer("Acme", 17)}
    assert decide(standing) == decide(standing)
    words = {buyer_move(LINEAR, buyer="Pat", item=ITEM, round_=5, max_rounds=10, standing=standing, seed=s).message
             for s in range(20)}
    assert len(words) > 1
