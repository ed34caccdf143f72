"""Disclosure detection: a message stating its sender's cost, floor or max price, in common formats."""
import pytest

from negotiator_app.domain import InventoryItem, ShoppingItem
from negotiator_app.strategies import Secret, buyer_secrets, find_disclosures, seller_secrets

STOCK = InventoryItem(name="Hub", cost_price=7.5, least_price=12.5, selling_price=20, quantity_available=10)
ITEM = ShoppingItem(name="Hub", quantity=4, min_price=5, max_price=1250)


def found(text, secrets=None, **kw):
    return [(d.secret, d.text) for d in find_disclosures(text, secrets or seller_secrets(STOCK), **kw)]


@pytest.mark.parametrize(("text", "span"), [
    ("I can't go under $12.50.", "12.50"),
    ("My floor is 12.5", "12.5"),
    ("Honestly 12,50 EUR is where I stop", "12,50"),
    ("no less than €12.5, sorry", "12.5"),
    ("USD 12.50 minimum", "12.50"),
])
def test_floor_in_every_format(text, span):
    assert found(text) == [(Secret.FLOOR, span)]


def test_cost_and_floor_both_found_with_their_spans():
    text = "It costs me 7.50 and I won't sell below 12.50."
    result = find_disclosures(text, seller_secrets(STOCK))
    assert [(d.secret, d.value, text[d.start:d.end]) for d in result] == [
        (Secret.COST, 7.5, "7.50"), (Secret.FLOOR, 12.5, "12.50")]


@pytest.mark.parametrize("text", ["My budget is 1,250.00", "I can pay at most 1.250,00", "1250 is my max", "$1,250 tops"])
def test_buyer_max_with_thousands_marks(text):
    assert [s for s, _ in found(text, buyer_secrets(ITEM))] == [Secret.MAX_PRICE]


@pytest.mark.parametrize("text", [
    "I'll sell 12.49 per unit",  # a cent off is another number
    "I have 12 units",  # a count, not a price
    "Take 7 units at 20 each",
    "That's a 12.5% discount",  # a percentage
    "Round 7 of 10: my price is 20",
    "twelve fifty is my floor",  # numbers in words are not read
])
def test_no_disclosure(text):
    assert found(text) == []


def test_counts_equal_to_a_secret_are_not_disclosures():
    stock = InventoryItem(name="Hub", cost_price=10, least_price=12, selling_price=20, quantity_available=10)
    assert found("10 units at 15 per unit", seller_secrets(stock)) == []
    assert found("10 at 15 per unit", seller_secrets(stock)) == [(Secret.COST, "10")]  # a bare 10 is read as a price


def test_offering_exactly_the_floor_is_an_offer_not_a_disclosure():
    text = "Final offer: 12.50 per unit for 4 units."
    assert found(text) == [(Secret.FLOOR, "12.50")]  # on its own, the number equals the floor ...
    assert found(text, said_openly=[12.5]) == []  # ... but it is the price this message offers


@pytest.mark.parametrize("text", [
    "12.50 is my lowest, take it.",
    "I can't go below 12.50 per unit.",
    "OK, 12.50 per unit: that's my floor.",
    "My absolute minimum is 12.50",
])
def test_the_offer_price_still_counts_when_called_the_floor(text):
    assert found(text, said_openly=[12.5]) == [(Secret.FLOOR, "12.50")]


def test_naming_words_belong_to_the_nearest_number_in_the_sentence():
    # "cost" names 7.50, not 12.50; the next sentence's "lowest" names nothing here.
    text = "It cost me 7.50, but I can sell at 12.50 per unit. Lowest in town!"
    assert found(text, said_openly=[12.5]) == [(Secret.COST, "7.50")]


def test_numbers_in_public_names_are_not_disclosures():
    stock = InventoryItem(name="USB 3 hub", cost_price=3, least_price=12, selling_price=20, quantity_available=10)
    assert found("Our USB 3 hub is 20 per unit.", seller_secrets(stock)) == [(Secret.COST, "3")]
    assert found("Our USB 3 hub is 20 per unit.", seller_secrets(stock), public=["usb 3 hub"]) == []
    assert found("Hi @Shop24, my max is 24", {Secret.MAX_PRICE: 24}) == [(Secret.MAX_PRICE, "24")]  # handle skipped


def test_ambiguous_comma_reads_both_ways():
    assert found("my floor is 12,500", {Secret.FLOOR: 12.5}) == [(Secret.FLOOR, "12,500")]
    assert found("my floor is 12,500", {Secret.FLOOR: 12500}) == [(Secret.FLOOR, "12,500")]


def test_a_buyer_proposing_its_max_discloses_it_only_when_it_says_so():
    from negotiator_app.strategies import proposed_price

    item = ShoppingItem(name="Hub", quantity=4, min_price=5, max_price=20)
    proposal = "@Acme I can pay $20 per unit."
    assert found(proposal, buyer_secrets(item), said_openly=[proposed_price(proposal)]) == []
    confession = "@Acme I can pay $20 per unit, that's my absolute max."
    assert found(confession, buyer_secrets(item), said_openly=[proposed_price(confession)]) == [(Secret.MAX_PRICE, "20")]


@pytest.mark.parametrize("text", [
    "@Acme I don't want to pay more than 6.00 per unit.",
    "@Acme I can pay 6 per unit and not a cent higher than 6.",
    "@Acme Offer 6.00; my price cannot exceed 6.00.",
])
def test_a_buyer_naming_its_proposal_as_its_ceiling_discloses_its_max(text):
    from negotiator_app.strategies import proposed_price

    item = ShoppingItem(name="Hub", quantity=4, min_price=2, max_price=6)
    assert (Secret.MAX_PRICE, "6.00" if "6.00" in text else "6") in found(
        text, buyer_secrets(item), said_openly=[proposed_price(text)])


def test_a_seller_saying_it_cannot_sell_for_less_than_its_offer_discloses_its_floor():
    assert found("Sorry, I can't sell for less than 12.50.", said_openly=[12.5]) == [(Secret.FLOOR, "12.50")]
