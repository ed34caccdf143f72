"""Room planning: one room per shopping item with the sellers that can supply it; the rest skipped with a reason."""
from __future__ import annotations

import pytest

from negotiator_app.domain import SkipReason, load_scenario, parse_config, plan_rooms

from .builders import SCENARIO_DIR, inventory_item, scenario, seller, shopping_item


def rooms_by_item(plan):
    return {room.item.name: room.seller_names for room in plan.rooms}


def test_office_supplies_rooms():
    plan = plan_rooms(load_scenario(SCENARIO_DIR / "office_supplies.json"))
    assert rooms_by_item(plan) == {
        "Ergonomic office chair": ["Acme Office Supply", "Bob's Bargains", "Desk Depot"],
        "27-inch 4K monitor": ["Acme Office Supply", "Clearview Displays", "Desk Depot"],
        # Bob's Bargains (30) and Clearview Displays (20) stock cables but not the 50 needed.
        "USB-C cable (2 m)": ["Acme Office Supply", "Desk Depot"],
    }
    assert plan.skipped == []
    assert [room.key for room in plan.rooms] == ["room-1", "room-2", "room-3"]


def test_office_supplies_deals_are_possible_with_some_sellers_but_not_all():
    plan = plan_rooms(load_scenario(SCENARIO_DIR / "office_supplies.json"))
    for room in plan.rooms:
        floors = {s.name: s.stock.least_price for s in room.sellers}
        assert all(floor > room.item.min_price for floor in floors.values())
        if room.item.name != "USB-C cable (2 m)":
            assert min(floors.values()) <= room.item.max_price < max(floors.values()), room.item.name


def test_room_sellers_carry_their_own_stock_line():
    plan = plan_rooms(load_scenario(SCENARIO_DIR / "office_supplies.json"))
    chairs = plan.rooms[0]
    bob = chairs.seller("bobs bargains")
    assert bob is not None and bob.name == "Bob's Bargains"
    assert (bob.stock.name, bob.stock.least_price, bob.stock.quantity_available) == ("Ergonomic Office Chair", 340, 5)
    assert chairs.seller("Clearview Displays") is None


def test_electronics_market_rooms_and_skipped_item():
    plan = plan_rooms(load_scenario(SCENARIO_DIR / "electronics_market.json"))
    assert rooms_by_item(plan) == {
        "Noise-cancelling headphones": [
            "Volt Electronics", "Gadget Garage", "Pixel Plaza", "Byte Bazaar", "Nova Audio", "Echo Traders",
        ],
        "Wireless mouse": ["Volt Electronics", "Sunny Tech", "Circuit City Outlet", "Max's Megastore", "Quantum Gear"],
    }
    assert [room.key for room in plan.rooms] == ["room-1", "room-3"]
    [skipped] = plan.skipped
    assert (skipped.index, skipped.item.name, skipped.reason) == (1, "Portable SSD 2 TB", SkipReason.NO_INVENTORY)
    assert skipped.reason == "no_inventory"
    assert skipped.detail == "no seller stocks this item"


def test_skipped_items_scenario_gives_both_reasons():
    plan = plan_rooms(load_scenario(SCENARIO_DIR / "skipped_items.json"))
    assert rooms_by_item(plan) == {"Lab notebook A4": ["Science Stores"]}
    reasons = {s.item.name: (s.reason, s.detail) for s in plan.skipped}
    assert reasons == {
        "Digital multimeter": ("insufficient_quantity", "needs 12, the most any seller has is 8"),
        "Oscilloscope probe set": ("no_inventory", "no seller stocks this item"),
    }


@pytest.mark.parametrize("wanted", ["usb-c  cable", "USB-C CABLE", "  Usb-C   Cable "])
def test_items_match_ignoring_case_and_whitespace(wanted):
    data = scenario(
        buyer={"name": "Pat", "items": [shopping_item(wanted)]},
        sellers=[seller("Acme", inventory_item("USB-C Cable")), seller("Bolt", inventory_item("Mouse"))],
    )
    plan = plan_rooms(parse_config(data))
    assert [room.seller_names for room in plan.rooms] == [["Acme"]]


def test_items_that_differ_in_more_than_case_and_spacing_do_not_match():
    data = scenario(
        buyer={"name": "Pat", "items": [shopping_item("USB-C cable")]},
        sellers=[seller("Acme", inventory_item("USBC cable"))],
    )
    plan = plan_rooms(parse_config(data))
    assert plan.rooms == [] and plan.skipped[0].reason == SkipReason.NO_INVENTORY


def test_stock_exactly_equal_to_the_quantity_is_enough():
    data = scenario(
        buyer={"name": "Pat", "items": [shopping_item(quantity=20)]},
        sellers=[seller("Acme", inventory_item(quantity_available=20)), seller("Bolt", inventory_item(quantity_available=19))],
    )
    assert rooms_by_item(plan_rooms(parse_config(data))) == {"USB-C cable": ["Acme"]}


def test_room_order_follows_the_shopping_list_and_seller_order_the_session():
    data = scenario(
        buyer={"name": "Pat", "items": [shopping_item("Mouse"), shopping_item("USB-C cable")]},
        sellers=[
            seller("Zed", inventory_item("USB-C cable"), inventory_item("Mouse")),
            seller("Acme", inventory_item("Mouse")),
        ],
    )
    plan = plan_rooms(parse_config(data))
    assert [(r.index, r.item.name, r.seller_names) for r in plan.rooms] == [
        (0, "Mouse", ["Zed", "Acme"]),
        (1, "USB-C cable", ["Zed"]),
    ]
