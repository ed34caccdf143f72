"""Whatever the scenario, strategies keep the rules: sellers offer within [floor, ask] and their stock,
buyers accept only valid offers at or below their max, and no strategy's words disclose its secrets."""
from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from negotiator_app.domain import (
    Decision, InventoryItem, Offer, ShoppingItem, SpeakingStyle, check_acceptance, check_offer,
)
from negotiator_app.strategies import (
    StrategyConfig, StrategyKind, buyer_move, buyer_opening, buyer_secrets,
    find_disclosures, seller_move, seller_secrets, target_price,
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

money_amounts = st.floats(min_value=0, max_value=100_000, allow_nan=False, allow_infinity=False)
gaps = st.floats(min_value=0.0001, max_value=50_000, allow_nan=False, allow_infinity=False)
# A buyer's min and max at least a cent apart: a text cannot tell apart prices that round to the same cent.
cent_gaps = st.floats(min_value=0.01, max_value=50_000, allow_nan=False, allow_infinity=False)
item_names = st.sampled_from(["USB-C cable", "USB 3 hub", "Widget 10", "A4 paper 500", "Chair"])


@st.composite
def strategies(draw) -> StrategyConfig:
    kind = draw(st.sampled_from(list(StrategyKind)))
    exponent = None
    if kind is StrategyKind.BOULWARE:
        exponent = draw(st.none() | st.floats(min_value=0.01, max_value=0.99))
    elif kind is StrategyKind.CONCEDER:
        exponent = draw(st.none() | st.floats(min_value=1.01, max_value=50))
    k = draw(st.floats(min_value=0, max_value=0.99))
    return StrategyConfig(kind=kind, exponent=exponent, initial_concession=k)


@st.composite
def stocks(draw) -> InventoryItem:
    cost = draw(money_amounts)
    least = cost + draw(gaps)
    selling = least + draw(gaps)
    assume(cost < least < selling)  # float addition can swallow a tiny gap
    return InventoryItem(name=draw(item_names), cost_price=cost, least_price=least, selling_price=selling,
                         quantity_available=draw(st.integers(1, 1000)))


@st.composite
def shopping_items(draw) -> ShoppingItem:
    low = draw(money_amounts)
    high = low + draw(cent_gaps)
    assume(low < high)
    return ShoppingItem(name=draw(item_names), quantity=draw(st.integers(1, 200)), min_price=low, max_price=high)


@st.composite
def rounds(draw) -> tuple[int, int]:
    limit = draw(st.integers(1, 50))
    return draw(st.integers(1, limit)), limit


prices_said = st.lists(st.none() | st.floats(min_value=-10, max_value=200_000, allow_nan=False), max_size=50)
SELLERS = ["Acme", "Bolt", "Cory", "Dune"]


@st.composite
def offers(draw, item: ShoppingItem, max_round: int) -> list[Offer]:
    """Offers of every kind: binding or not, above or below the max, for too few units or enough."""
    made = []
    for seq in range(draw(st.integers(0, 8))):
        price = draw(st.floats(min_value=0, max_value=item.max_price * 2 + 1, allow_nan=False)
                     | st.sampled_from([item.max_price, item.min_price]))
        made.append(Offer(seller=draw(st.sampled_from(SELLERS)), price_per_unit=price,
                          quantity=draw(st.integers(0, item.quantity * 2)), round=draw(st.integers(1, max_round)),
                          message_seq=seq + 1, binding=draw(st.booleans())))
    return made


@FAST
@given(strategy=strategies(), stock=stocks(), when=rounds(), wanted=st.integers(1, 2000), buyer_prices=prices_said,
       style=st.sampled_from(list(SpeakingStyle)), seed=st.integers(0, 2**32))
def test_no_seller_strategy_offers_outside_its_limits_or_stock(strategy, stock, when, wanted, buyer_prices, style, seed):
    round_, limit = when
    move = seller_move(strategy, seller="Acme", stock=stock, wanted=wanted, round_=round_, max_rounds=limit,
                       style=style, buyer_prices=buyer_prices, seed=seed)
    assert check_offer("Acme", stock, move.offer_price, move.offer_quantity, round_, 1) is None
    assert stock.least_price <= move.offer_price <= stock.selling_price
    assert 1 <= move.offer_quantity <= stock.quantity_available
    assert find_disclosures(move.message, seller_secrets(stock), said_openly=[move.offer_price], public=[stock.name]) == []


@FAST
@given(strategy=strategies(), stock=stocks(), limit=st.integers(1, 50), buyer_prices=prices_said)
def test_no_seller_strategy_ever_raises_its_price(strategy, stock, limit, buyer_prices):
    said = [seller_move(strategy, seller="Acme", stock=stock, wanted=1, round_=r, max_rounds=limit,
                       buyer_prices=buyer_prices).offer_price for r in range(1, limit + 1)]
    assert all(later <= earlier for earlier, later in zip(said, said[1:]))


@FAST
@given(data=st.data(), strategy=strategies(), item=shopping_items(), when=rounds(), seed=st.integers(0, 2**32))
def test_no_buyer_strategy_accepts_above_its_max_or_an_invalid_offer(data, strategy, item, when, seed):
    round_, limit = when
    history = data.draw(offers(item, round_))
    standing: dict[str, Offer] = {}
    for offer in sorted(history, key=lambda o: (o.round, o.message_seq)):
        standing[offer.seller] = offer  # the latest offer of each seller stands, as in a run
    move = buyer_move(strategy, buyer="Pat", item=item, round_=round_, max_rounds=limit, standing=standing,
                      history=history, seed=seed)
    assert move.decision in (Decision.CONTINUE, Decision.ACCEPT, Decision.WALK_AWAY)
    if move.decision == Decision.ACCEPT:
        deal, violation = check_acceptance("Pat", item, move.seller, standing, SELLERS, round_)
        assert violation is None
        assert deal.price_per_unit <= item.max_price and deal.quantity >= item.quantity and deal.binding
    if move.decision == Decision.CONTINUE:
        assert round_ < limit  # at the limit a buyer decides
        assert item.min_price <= move.counter_price <= item.max_price
    # The buyer's words state its own counter-price or quote a seller's price; neither reveals its max.
    said_openly = [move.counter_price, *(o.price_per_unit for o in standing.values())]
    assert find_disclosures(move.message, buyer_secrets(item), said_openly=said_openly, public=[item.name, *SELLERS]) == []


@FAST
@given(strategy=strategies(), item=shopping_items(), limit=st.integers(1, 50), data=st.data())
def test_no_buyer_strategy_ever_lowers_its_target(strategy, item, limit, data):
    history = data.draw(offers(item, limit))
    targets = [target_price(strategy, item, r, limit, [o for o in history if o.round <= r]) for r in range(1, limit + 1)]
    assert all(item.min_price <= t <= item.max_price for t in targets)
    assert all(later >= earlier for earlier, later in zip(targets, targets[1:]))
    opening = buyer_opening(strategy, buyer="Pat", item=item, max_rounds=limit)
    assert opening.counter_price <= targets[0]
    assert find_disclosures(opening.message, buyer_secrets(item), said_openly=[opening.counter_price],
                            public=[item.name]) == []
