"""Reading prices from text, and what a tit-for-tat seller observes of the buyer."""
from datetime import UTC, datetime

import pytest

from negotiator_app.domain import Message, Role
from negotiator_app.strategies import buyer_prices_by_round, price_mentions, proposed_price, states_price


@pytest.mark.parametrize(("text", "price"), [
    ("Can you do $8?", 8.0),
    ("I need 10 units at 7.50 each", 7.5),
    ("Acme offered 12, can you do 10?", 10.0),
    ("@Bolt would you take 9,90 EUR per unit for 4 units?", 9.9),
    ("Your 14 is too high; I'll pay $11.", 11.0),
    ("I need 10 units, what's your price?", None),
    ("Hello @Shop24!", None),
])
def test_proposed_price(text, price):
    assert proposed_price(text) == price


def test_mentions_keep_their_spans_and_readings():
    text = "Was $1,250.00, now 1.100,50 €"
    assert [(text[m.start:m.end], m.values, m.marked) for m in price_mentions(text)] == [
        ("1,250.00", (1250.0,), True), ("1.100,50", (1100.5,), True)]


def test_states_price_to_the_cent():
    assert states_price("I can do 12.5 per unit", 12.50)
    assert states_price("I can do 12.50 per unit", 12.504)  # shown rounded to cents
    assert not states_price("I can do 12.49 per unit", 12.50)
    assert not states_price("12 units for you", 12)


def msg(seq, round_, text, recipients, role=Role.BUYER, sender="Pat"):
    return Message(seq=seq, round=round_, sender=sender, role=role, recipients=recipients, text=text,
                   created_at=datetime(2026, 1, 1, tzinfo=UTC))


def test_buyer_prices_seen_by_one_seller():
    transcript = [
        msg(1, 1, "Hi all, 8 per unit?", ["Acme", "Bolt"]),
        msg(2, 1, "15 per unit", ["Pat"], role=Role.SELLER, sender="Acme"),
        msg(3, 2, "@Bolt $9?", ["Bolt"]),  # not for Acme
        msg(4, 3, "@acme what's your best?", ["Acme"]),  # no price named
        msg(5, 4, "@Acme 10, final", ["Acme"]),
        msg(6, 5, "@Acme 11", ["Acme"]),  # a later round than asked for
    ]
    assert buyer_prices_by_round(transcript, "ACME", 4) == [8.0, None, None, 10.0]
    assert buyer_prices_by_round(transcript, "Bolt", 2) == [8.0, 9.0]
