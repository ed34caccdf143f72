"""Strategy agents talking to each other through their messages, in the engine's turn order
(buyer speaks, addressed sellers answer, buyer decides), with no server and no engine."""
from __future__ import annotations

from datetime import UTC, datetime

from negotiator_app.domain import (
    Decision, InventoryItem, Message, Offer, Role, ShoppingItem, SpeakingStyle, check_offer, recipients_for,
)
from negotiator_app.strategies import (
    StrategyConfig, StrategyKind, buyer_move, buyer_opening, buyer_prices_by_round,
    seller_move,
)

ITEM = ShoppingItem(name="Desk lamp", quantity=4, min_price=10, max_price=30)


def stock(floor, ask):
    return InventoryItem(name="Desk lamp", cost_price=floor - 5, least_price=floor, selling_price=ask, quantity_available=9)


SELLERS = {
    "Acme": (StrategyConfig(kind=StrategyKind.BOULWARE), stock(22, 40), SpeakingStyle.RUDE),
    "Bolt": (StrategyConfig(kind=StrategyKind.CONCEDER), stock(26, 38), SpeakingStyle.VERY_SWEET),
    "Cory": (StrategyConfig(kind=StrategyKind.TIT_FOR_TAT), stock(20, 42), SpeakingStyle.NEUTRAL),
}


def play(buyer_strategy: StrategyConfig, sellers=SELLERS, item=ITEM, max_rounds=10, seed=42):
    names = list(sellers)
    transcript: list[Message] = []
    offers: list[Offer] = []
    standing: dict[str, Offer] = {}

    def say(sender, role, round_, text, recipients):
        transcript.append(Message(seq=len(transcript) + 1, round=round_, sender=sender, role=role, recipients=recipients,
                                  text=text, created_at=datetime(2026, 1, 1, tzinfo=UTC)))
        return transcript[-1]

    round_ = 1
    opening = buyer_opening(buyer_strategy, buyer="Pat", item=item, max_rounds=max_rounds, seed=seed)
    buyer_msg = say("Pat", Role.BUYER, round_, opening.message, recipients_for(opening.message, names))
    while True:
        for name in buyer_msg.recipients:
            strategy, inventory, style = sellers[name]
            move = seller_move(strategy, seller=name, stock=inventory, wanted=item.quantity, round_=round_,
                               max_rounds=max_rounds, style=style, seed=seed,
                               buyer_prices=buyer_prices_by_round(transcript, name, round_))
            seq = say(name, Role.SELLER, round_, move.message, ["Pat"]).seq
            assert check_offer(name, inventory, move.offer_price, move.offer_quantity, round_, seq) is None
            offers.append(Offer(seller=name, price_per_unit=move.offer_price, quantity=move.offer_quantity,
                                round=round_, message_seq=seq))
            standing[name] = offers[-1]
        decision = buyer_move(buyer_strategy, buyer="Pat", item=item, round_=round_, max_rounds=max_rounds,
                              standing=standing, history=offers, seed=seed)
        if decision.decision != Decision.CONTINUE:
            return decision, round_, transcript, offers
        round_ += 1
        buyer_msg = say("Pat", Role.BUYER, round_, decision.message, recipients_for(decision.message, names))


def test_a_linear_buyer_closes_a_deal_within_every_limit():
    decision, rounds, transcript, offers = play(StrategyConfig(kind=StrategyKind.LINEAR))
    assert decision.decision == Decision.ACCEPT
    deal = next(o for o in reversed(offers) if o.seller == decision.seller)
    assert deal.price_per_unit <= ITEM.max_price and deal.price_per_unit >= SELLERS[decision.seller][1].least_price
    assert rounds <= 10 and any(m.text.startswith("@") for m in transcript if m.role == Role.BUYER)


def test_the_tit_for_tat_seller_concedes_because_it_reads_the_buyers_words():
    decision, _, transcript, offers = play(StrategyConfig(kind=StrategyKind.LINEAR), sellers={"Cory": SELLERS["Cory"]})
    cory = [o.price_per_unit for o in offers]
    asked = buyer_prices_by_round(transcript, "Cory", len(cory))
    # The buyer's words go from 10 (opening, round 1) to 12 (round 2): 42 * 10/12 = 35
    assert asked[:2] == [10.0, 12.0] and cory[:2] == [42.0, 35.0]
    assert cory == sorted(cory, reverse=True) and decision.decision == Decision.ACCEPT


def test_no_zone_of_agreement_ends_in_walking_away_at_the_limit():
    poor = ShoppingItem(name="Desk lamp", quantity=4, min_price=5, max_price=19)  # below every floor
    decision, rounds, _, _ = play(StrategyConfig(kind=StrategyKind.CONCEDER), item=poor)
    assert (decision.decision, rounds) == (Decision.WALK_AWAY, 10)


def test_a_seed_replays_the_whole_negotiation():
    first = play(StrategyConfig(kind=StrategyKind.TIT_FOR_TAT), seed=5)
    again = play(StrategyConfig(kind=StrategyKind.TIT_FOR_TAT), seed=5)
    other = play(StrategyConfig(kind=StrategyKind.TIT_FOR_TAT), seed=6)
    assert [m.text for m in first[2]] == [m.text for m in again[2]]
    assert first[0] == again[0] and first[3] == again[3]
    assert [m.text for m in first[2]] != [m.text for m in other[2]]
    assert first[3] == other[3]  # the seed changes the words, never the prices
