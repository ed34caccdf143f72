"""Binding offers and valid deals: the rules enforced whatever a model says, including the boundary values."""
from __future__ import annotations

import math

import pytest

from negotiator_app.domain import (
    InventoryItem,
    Offer,
    ShoppingItem,
    ViolationKind,
    check_acceptance,
    check_offer,
    money,
    percent,
    percent_points,
    saving_points,
)

STOCK = InventoryItem(name="USB-C cable", cost_price=2, least_price=5, selling_price=10, quantity_available=20)
WANTED = ShoppingItem(name="USB-C cable", quantity=12, min_price=3, max_price=8)
ROOM = ["Acme Store", "Bolt"]


def offer(seller="Acme Store", price=7.5, quantity=12, binding=True) -> Offer:
    return Offer(seller=seller, price_per_unit=price, quantity=quantity, round=2, message_seq=9, binding=binding)


# --- check_offer ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("price", "quantity"), [(5, 1), (10, 20), (7.25, 3), (5.0, 20)])
def test_offers_within_floor_ask_and_stock_are_binding(price, quantity):
    assert check_offer("Acme", STOCK, price, quantity, round_=1, message_seq=4) is None


@pytest.mark.parametrize(
    ("price", "quantity", "kind", "attempted", "limit"),
    [
        (4.99, 5, ViolationKind.OFFER_BELOW_FLOOR, "offered 4.99 per unit", "least price 5.00"),
        (0, 5, ViolationKind.OFFER_BELOW_FLOOR, "offered 0.00 per unit", "least price 5.00"),
        (10.01, 5, ViolationKind.OFFER_ABOVE_ASK, "offered 10.01 per unit", "selling price 10.00"),
        (7, 21, ViolationKind.OFFER_EXCEEDS_STOCK, "offered 21 units", "20 in stock"),
        (7, 0, ViolationKind.OFFER_INVALID_QUANTITY, "offered 0 units", "at least 1 unit"),
        (7, -4, ViolationKind.OFFER_INVALID_QUANTITY, "offered -4 units", "at least 1 unit"),
    ],
)
def test_offer_violations(price, quantity, kind, attempted, limit):
    violation = check_offer("Acme", STOCK, price, quantity, round_=3, message_seq=11)
    assert violation is not None
    assert (violation.kind, violation.attempted, violation.limit) == (kind, attempted, limit)
    assert (violation.agent, violation.round, violation.message_seq) == ("Acme", 3, 11)


@pytest.mark.parametrize("price", [math.nan, math.inf, -math.inf])
def test_non_finite_prices_are_never_binding(price):
    violation = check_offer("Acme", STOCK, price, 5, round_=1, message_seq=None)
    assert violation is not None
    assert violation.kind == ViolationKind.OFFER_INVALID_PRICE


def test_money_formats_two_decimals_with_thousands():
    assert money(1234.5) == "1,234.50"
    assert money(5) == "5.00"


# --- check_acceptance -----------------------------------------------------------------------------


def accept(seller, standing, item=WANTED):
    return check_acceptance("Pat", item, seller, standing, ROOM, round_=4, message_seq=20)


@pytest.mark.parametrize("name", ["Acme Store", "acme_store", "ACME-STORE"])
def test_accepting_a_standing_offer_within_max_and_quantity_makes_a_deal(name):
    standing = {"Acme Store": offer()}
    made, violation = accept(name, standing)
    assert violation is None
    assert made is standing["Acme Store"]


def test_price_equal_to_max_and_quantity_above_need_are_acceptable():
    made, violation = accept("Bolt", {"Bolt": offer("Bolt", price=8, quantity=20)})
    assert violation is None and made is not None and made.price_per_unit == 8


@pytest.mark.parametrize("name", [None, "", "Nobody"])
def test_accepting_from_a_seller_not_in_the_room_is_refused(name):
    made, violation = accept(name, {"Acme Store": offer()})
    assert made is None
    assert violation.kind == ViolationKind.ACCEPT_UNKNOWN_SELLER
    assert violation.limit == "sellers in this room: Acme Store, Bolt"
    assert violation.attempted == f"accepted an offer from '{name or '?'}'"
    assert (violation.agent, violation.round, violation.message_seq) == ("Pat", 4, 20)


def test_accepting_without_a_standing_offer_is_refused():
    made, violation = accept("Bolt", {"Acme Store": offer()})
    assert made is None
    assert violation.kind == ViolationKind.ACCEPT_NO_OFFER
    assert violation.limit == "Bolt has no standing offer"


def test_accepting_a_non_binding_offer_is_refused():
    made, violation = accept("Acme Store", {"Acme Store": offer(binding=False)})
    assert made is None and violation.kind == ViolationKind.ACCEPT_NO_OFFER


def test_accepting_above_max_price_is_refused():
    made, violation = accept("Acme Store", {"Acme Store": offer(price=8.01)})
    assert made is None
    assert violation.kind == ViolationKind.ACCEPT_ABOVE_MAX
    assert (violation.attempted, violation.limit) == ("accepted 8.01 per unit from Acme Store", "max price 8.00")


def test_accepting_too_few_units_is_refused():
    made, violation = accept("Acme Store", {"Acme Store": offer(quantity=11)})
    assert made is None
    assert violation.kind == ViolationKind.ACCEPT_INSUFFICIENT_QUANTITY
    assert (violation.attempted, violation.limit) == ("accepted 11 units from Acme Store", "needs 12 units")


def test_every_violation_kind_is_produced_by_a_rule():
    produced = {
        check_offer("A", STOCK, 1, 1, 1, None).kind,
        check_offer("A", STOCK, 11, 1, 1, None).kind,
        check_offer("A", STOCK, 6, 21, 1, None).kind,
        check_offer("A", STOCK, 6, 0, 1, None).kind,
        check_offer("A", STOCK, math.nan, 1, 1, None).kind,
        accept("Nobody", {})[1].kind,
        accept("Bolt", {})[1].kind,
        accept("Bolt", {"Bolt": offer("Bolt", price=9)})[1].kind,
        accept("Bolt", {"Bolt": offer("Bolt", quantity=1)})[1].kind,
    }
    assert produced == set(ViolationKind)


def test_shares_and_percentages_are_written_one_way():
    assert [percent(0.125), percent(0.125, 1), percent(None), percent(None, missing="n/a")] == ["12%", "12.5%", "—", "n/a"]
    assert [percent_points(12.35), percent_points(7, 0), percent_points(None)] == ["12.3%", "7%", "—"]
    assert [saving_points(120.0, 90.0), saving_points(3.0, 2.0), saving_points(0.0, 0.0)] == [25.0, 33.33, None]
