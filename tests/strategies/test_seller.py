"""Strategy sellers: the offer, the words in every style, determinism, and the engine reading it."""
import dataclasses
import json
import os
import subprocess
import sys

import pytest

from negotiator_app.domain import InventoryItem, SpeakingStyle, check_offer
from negotiator_app.engine.protocol import SellerReply, parse_seller_reply
from negotiator_app.strategies import (
    StrategyConfig, StrategyKind, find_disclosures, proposed_price, seller_move, seller_offer_price, seller_secrets,
)
from negotiator_app.strategies.templates import FIRST, HOLD, LOWER, SELLER_TEMPLATES

STOCK = InventoryItem(name="USB 3 hub", cost_price=6, least_price=10, selling_price=20, quantity_available=8)


def move(kind=StrategyKind.LINEAR, round_=5, **kw):
    args = dict(seller="Acme", stock=STOCK, wanted=5, round_=round_, max_rounds=10, seed=7)
    return seller_move(StrategyConfig(kind=kind), **{**args, **kw})


def test_offer_is_the_formula_price_for_the_units_wanted():
    m = move()
    assert (m.offer_price, m.offer_quantity) == (15.0, 5)  # linear at t = 5 of 10: 10 + 10 * 0.5
    assert move(wanted=50).offer_quantity == 8  # never more than in stock


def test_default_exponents_are_those_of_genius():
    # Boulware e = 0.2: 10 + 10 * (1 - 0.5 ** 5) = 19.6875 -> 19.69; Conceder e = 2: 10 + 10 * (1 - 0.5 ** 0.5) = 12.93
    assert move(StrategyKind.BOULWARE).offer_price == 19.69
    assert move(StrategyKind.CONCEDER).offer_price == 12.93


def test_tit_for_tat_seller_reads_the_buyers_proposals():
    m = move(StrategyKind.TIT_FOR_TAT, round_=4, buyer_prices=[8, 10, None, 12.5])
    assert m.offer_price == 12.8  # 20 * 8/10 * 10/12.5
    # Proposals after this round are not seen yet.
    assert move(StrategyKind.TIT_FOR_TAT, round_=1, buyer_prices=[8, 10]).offer_price == 20


@pytest.mark.parametrize("kind", list(StrategyKind))
def test_sellers_never_go_up(kind):
    buyer = [9, 9.5, 9.2, None, 11, 12, 11, 13, 14, 15]
    prices = [seller_offer_price(StrategyConfig(kind=kind), STOCK, r, 10, buyer) for r in range(1, 11)]
    assert prices == sorted(prices, reverse=True)
    assert prices[0] > prices[-1]  # and they do concede


@pytest.mark.parametrize("style", list(SpeakingStyle))
def test_every_style_states_the_offer_so_a_buyer_reads_the_same_price(style):
    for round_ in (1, 5, 10):
        m = move(style=style, round_=round_)
        assert proposed_price(m.message) == m.offer_price
        assert f"{m.offer_quantity} units" in m.message
        # The words never give away the seller's cost or floor (offering the floor is an offer, not a disclosure).
        assert find_disclosures(m.message, seller_secrets(STOCK), said_openly=[m.offer_price], public=[STOCK.name]) == []


def test_styles_sound_different():
    texts = {style: move(style=style, round_=1).message for style in SpeakingStyle}
    assert len(set(texts.values())) == len(SpeakingStyle)
    assert "!" in texts[SpeakingStyle.VERY_SWEET] and "!" not in texts[SpeakingStyle.BLUNT]


def test_situations_first_lower_and_hold_are_told_apart():
    for style, situations in SELLER_TEMPLATES.items():
        assert set(situations) == {FIRST, LOWER, HOLD}, style
    first = move(StrategyKind.TIT_FOR_TAT, round_=1, style=SpeakingStyle.BLUNT).message
    lower = move(StrategyKind.TIT_FOR_TAT, round_=2, buyer_prices=[8, 10], style=SpeakingStyle.BLUNT).message
    hold = move(StrategyKind.TIT_FOR_TAT, round_=3, buyer_prices=[8, 10, 9], style=SpeakingStyle.BLUNT).message
    assert first in {t.format(price="20.00", qty=5, item=STOCK.name) for t in SELLER_TEMPLATES[SpeakingStyle.BLUNT][FIRST]}
    assert lower in {t.format(price="16.00", qty=5, item=STOCK.name) for t in SELLER_TEMPLATES[SpeakingStyle.BLUNT][LOWER]}
    assert hold in {t.format(price="16.00", qty=5, item=STOCK.name) for t in SELLER_TEMPLATES[SpeakingStyle.BLUNT][HOLD]}


def test_the_engine_reads_a_strategy_reply_exactly_as_a_models():
    m = move(style=SpeakingStyle.RUDE)
    parsed = parse_seller_reply(json.dumps(dataclasses.asdict(m)))
    assert parsed == SellerReply(m.message, m.offer_price, m.offer_quantity)
    assert check_offer("Acme", STOCK, parsed.offer_price, parsed.offer_quantity, 5, 1) is None


def test_same_seed_same_words_other_seeds_other_words():
    assert move(seed=3) == move(seed=3)
    assert len({move(seed=s, style=SpeakingStyle.FRIENDLY).message for s in range(20)}) > 1
    # The price never depends on the seed.
    assert {move(seed=s).offer_price for s in range(20)} == {15.0}


def test_a_seed_replays_the_same_words_in_another_process():
    code = (
        "from negotiator_app.domain import InventoryItem, SpeakingStyle as S\n"
        "from negotiator_app.strategies import StrategyConfig, seller_move\n"
        "st = InventoryItem(name='USB 3 hub', cost_price=6, least_price=10, selling_price=20, quantity_available=8)\n"
        "print('|'.join(seller_move(StrategyConfig(), seller='Acme', stock=st, wanted=5, round_=r, max_rounds=10,"
        " style=s, seed=11).message for r in range(1, 11) for s in S))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # a different str hash than this process's
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout.strip()
    here = "|".join(
        seller_move(StrategyConfig(), seller="Acme", stock=STOCK, wanted=5, round_=r, max_rounds=10, style=s, seed=11).message
        for r in range(1, 11) for s in SpeakingStyle
    )
    assert out == here
