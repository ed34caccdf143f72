"""Every rule of a session configuration: good input passes, bad input fails with a located, human message."""
from __future__ import annotations

import pytest

from negotiator_app.domain import MAX_MESSAGE_CHARS, MAX_SELLERS, LLMSettings, ScenarioError, SessionConfig, parse_config

from .builders import inventory_item, scenario, seller, shopping_item


def errors_of(data: dict) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse_config(data)
    assert info.value.errors, "a ScenarioError must carry at least one message"
    return info.value.errors


def the_error(data: dict) -> str:
    errors = errors_of(data)
    assert len(errors) == 1, errors
    return errors[0]


def test_the_base_scenario_is_valid():
    config = parse_config(scenario())
    assert isinstance(config, SessionConfig)
    assert [s.name for s in config.sellers] == ["Bolt", "Acme"]


# --- exact messages -------------------------------------------------------------------------------


def test_least_price_not_above_cost_reads_as_located_sentence():
    data = scenario(sellers=[seller("Bolt"), seller("Acme", inventory_item(cost_price=5, least_price=5))])
    assert the_error(data) == "Seller 2 'Acme', item 'USB-C cable': least price must be above cost price"


def test_selling_price_not_above_least_reads_as_located_sentence():
    data = scenario(sellers=[seller("Acme", inventory_item(least_price=10, selling_price=10))])
    assert the_error(data) == "Seller 1 'Acme', item 'USB-C cable': selling price must be above least price"


def test_min_price_not_below_max_reads_as_located_sentence():
    data = scenario(buyer={"name": "Pat", "items": [shopping_item(min_price=8, max_price=8)]})
    assert the_error(data) == "Buyer, Shopping item 1 'USB-C cable': max price must be above min price"


def test_duplicate_seller_message_names_the_duplicate():
    data = scenario(sellers=[seller("Acme"), seller("ACME ")])
    assert the_error(data) == (
        "Session: seller name 'ACME' is listed twice (names are compared ignoring case and spaces)"
    )


def test_temperature_above_two_message():
    assert the_error(scenario(llm={"temperature": 2.5})) == "LLM settings: temperature must be at most 2"


def test_session_level_field_is_located_at_the_session():
    assert the_error(scenario(name="   ")) == "Session: name must not be empty"


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["A", "x" * 50, "Bob's Bargains", "Acme Store 2", "  Padded  "])
def test_seller_names_of_1_to_50_chars_are_accepted(name):
    config = parse_config(scenario(sellers=[seller(name)]))
    assert config.sellers[0].name == name.strip()


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "Seller 1: name must not be empty"),
        ("   ", "Seller 1: name must not be empty"),
        ("x" * 51, "name must be at most 50 characters"),
        ("Ac@me", "name must not contain '@'"),
        ("!!!", "name must contain at least one letter or digit"),
    ],
)
def test_bad_seller_names_are_rejected(name, problem):
    message = the_error(scenario(sellers=[seller(name)]))
    assert problem in message
    assert message.startswith("Seller 1")


@pytest.mark.parametrize(
    ("name", "problem"), [("", "must not be empty"), ("y" * 51, "must be at most 50 characters")], ids=["empty", "51"]
)
def test_bad_buyer_names_are_rejected(name, problem):
    assert the_error(scenario(buyer={"name": name, "items": [shopping_item()]})) == f"Buyer: name {problem}"


@pytest.mark.parametrize("other", ["acme", "ACME", " Acme ", "acme_", "A-cme"])
def test_seller_names_are_unique_ignoring_case_spaces_and_punctuation(other):
    message = the_error(scenario(sellers=[seller("Acme"), seller(other)]))
    assert "is listed twice" in message and message.startswith("Session:")


def test_distinct_seller_names_are_accepted():
    assert len(parse_config(scenario(sellers=[seller("Acme"), seller("Acme 2")])).sellers) == 2


def test_a_seller_may_not_share_the_buyers_name():
    message = the_error(scenario(sellers=[seller("pat")]))
    assert message == "Session: seller 'pat' has the same name as the buyer"


# --- items ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["A", "z" * 100])
def test_item_names_of_1_to_100_chars_are_accepted(name):
    data = scenario(
        buyer={"name": "Pat", "items": [shopping_item(name)]}, sellers=[seller("Acme", inventory_item(name))]
    )
    assert parse_config(data).buyer.items[0].name == name


@pytest.mark.parametrize(("name", "problem"), [("", "must not be empty"), ("z" * 101, "must be at most 100 characters")])
def test_bad_shopping_item_names_are_rejected(name, problem):
    message = the_error(scenario(buyer={"name": "Pat", "items": [shopping_item(name)]}))
    assert message.startswith("Buyer, Shopping item 1") and message.endswith(f"name {problem}")


@pytest.mark.parametrize(("name", "problem"), [("", "must not be empty"), ("z" * 101, "must be at most 100 characters")])
def test_bad_inventory_item_names_are_rejected(name, problem):
    message = the_error(scenario(sellers=[seller("Acme", inventory_item(name))]))
    assert message.startswith("Seller 1 'Acme'") and message.endswith(f"name {problem}")


def test_duplicate_shopping_items_are_rejected_ignoring_case_and_spaces():
    items = [shopping_item("USB-C cable"), shopping_item(" usb-c   CABLE ")]
    message = the_error(scenario(buyer={"name": "Pat", "items": items}))
    assert message.startswith("Buyer:") and "shopping list item 'usb-c   CABLE' is listed twice" in message


def test_duplicate_inventory_items_are_rejected():
    message = the_error(scenario(sellers=[seller("Acme", inventory_item("Mouse"), inventory_item("MOUSE"))]))
    assert message.startswith("Seller 1 'Acme':") and "inventory item 'MOUSE' is listed twice" in message


def test_a_shopping_list_needs_an_item_and_an_inventory_needs_an_entry():
    assert the_error(scenario(buyer={"name": "Pat", "items": []})) == "Buyer: shopping list needs at least 1 entry"
    assert the_error(scenario(sellers=[{"name": "Acme", "inventory": []}])) == (
        "Seller 1 'Acme': inventory needs at least 1 entry"
    )


# --- quantities and prices -------------------------------------------------------------------------


def test_quantity_one_is_accepted():
    data = scenario(
        buyer={"name": "Pat", "items": [shopping_item(quantity=1)]},
        sellers=[seller("Acme", inventory_item(quantity_available=1))],
    )
    config = parse_config(data)
    assert config.buyer.items[0].quantity == 1 and config.sellers[0].inventory[0].quantity_available == 1


@pytest.mark.parametrize(("value", "problem"), [(0, "must be at least 1"), (-3, "must be at least 1"), (1.5, "must be a whole number")])
def test_bad_quantities_are_rejected(value, problem):
    assert the_error(scenario(buyer={"name": "Pat", "items": [shopping_item(quantity=value)]})) == (
        f"Buyer, Shopping item 1 'USB-C cable': quantity {problem}"
    )
    assert the_error(scenario(sellers=[seller("Acme", inventory_item(quantity_available=value))])) == (
        f"Seller 1 'Acme', item 'USB-C cable': quantity available {problem}"
    )


def test_zero_min_price_and_zero_cost_are_accepted():
    data = scenario(
        buyer={"name": "Pat", "items": [shopping_item(min_price=0, max_price=0.01)]},
        sellers=[seller("Acme", inventory_item(cost_price=0, least_price=0.01, selling_price=0.02))],
    )
    config = parse_config(data)
    assert config.buyer.items[0].min_price == 0 and config.sellers[0].inventory[0].cost_price == 0


@pytest.mark.parametrize(("fields", "problem"), [({"min_price": 9}, "max price must be above min price"),
                                                ({"min_price": -1}, "min price must be at least 0")])
def test_bad_buyer_price_ranges_are_rejected(fields, problem):
    assert problem in the_error(scenario(buyer={"name": "Pat", "items": [shopping_item(**fields)]}))


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"cost_price": -1}, "cost price must be at least 0"),
        ({"cost_price": 6}, "least price must be above cost price"),
        ({"selling_price": 4}, "selling price must be above least price"),
        ({"selling_price": "cheap"}, "selling price must be a number"),
        ({"least_price": float("nan")}, "least price must be a number"),
        ({"selling_price": float("inf")}, "selling price must be a number"),
    ],
)
def test_bad_seller_price_ladders_are_rejected(fields, problem):
    message = the_error(scenario(sellers=[seller("Acme", inventory_item(**fields))]))
    assert message.startswith("Seller 1 'Acme', item 'USB-C cable': ") and problem in message


def test_missing_required_price_is_reported():
    item = inventory_item()
    del item["least_price"]
    assert the_error(scenario(sellers=[seller("Acme", item)])) == (
        "Seller 1 'Acme', item 'USB-C cable': least price is required"
    )


# --- sellers and profiles ------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, MAX_SELLERS])
def test_one_to_ten_sellers_are_accepted(count):
    assert MAX_SELLERS == 10
    assert len(parse_config(scenario(sellers=[seller(f"Seller {i}") for i in range(count)])).sellers) == count


@pytest.mark.parametrize(("count", "problem"), [(0, "A session needs at least one seller."),
                                              (11, "A session can have at most 10 sellers.")])
def test_zero_or_eleven_sellers_are_rejected_in_plain_words(count, problem):
    assert the_error(scenario(sellers=[seller(f"Seller {i}") for i in range(count)])) == problem


def test_unknown_profile_values_are_rejected_with_the_choices():
    message = the_error(scenario(sellers=[seller("Acme", priority="greedy")]))
    assert message.startswith("Seller 1 'Acme': priority must be one of")
    assert "'customer_retention'" in message and "'maximize_profit'" in message
    message = the_error(scenario(sellers=[seller("Acme", speaking_style="shouty")]))
    assert "speaking style must be one of" in message and "'very_sweet'" in message


def test_profile_defaults_are_balanced_and_neutral():
    profile = parse_config(scenario()).sellers[0].profile
    assert (profile.priority, profile.speaking_style) == ("balanced", "neutral")


def test_unknown_fields_are_rejected_not_ignored():
    message = the_error(scenario(sellers=[seller("Acme", inventory_item(colour="red"))]))
    assert message == "Seller 1 'Acme', item 'USB-C cable', colour: is not a known field (check the spelling)"


# --- LLM settings --------------------------------------------------------------------------------


def test_llm_defaults():
    llm = LLMSettings()
    assert llm.max_rounds == 10
    assert llm.concurrency == 4
    assert llm.base_url == "http://localhost:1234/v1"


@pytest.mark.parametrize(
    "fields",
    [
        {"temperature": 0},
        {"temperature": 2},
        {"max_tokens": 1},
        {"max_rounds": 1},
        {"max_rounds": 50},
        {"concurrency": 1},
        {"concurrency": 64},
    ],
)
def test_llm_boundaries_are_accepted(fields):
    llm = parse_config(scenario(llm=fields)).llm
    for key, value in fields.items():
        assert getattr(llm, key) == value


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"temperature": -0.1}, "LLM settings: temperature must be at least 0"),
        ({"temperature": 2.01}, "LLM settings: temperature must be at most 2"),
        ({"max_tokens": 0}, "LLM settings: max tokens must be at least 1"),
        ({"max_rounds": 0}, "LLM settings: rounds must be at least 1"),
        ({"max_rounds": 51}, "LLM settings: rounds must be at most 50"),
        ({"concurrency": 0}, "LLM settings: concurrency must be at least 1"),
        ({"concurrency": 65}, "LLM settings: concurrency must be at most 64"),
        ({"base_url": "localhost:1234"}, "LLM settings: server URL must start with http:// or https://"),
    ],
)
def test_bad_llm_settings_are_rejected(fields, message):
    assert the_error(scenario(llm=fields)) == message


def test_trailing_slash_is_removed_from_the_server_url():
    assert parse_config(scenario(llm={"base_url": "http://127.0.0.1:1234/v1/"})).llm.base_url == "http://127.0.0.1:1234/v1"


def test_message_text_limit_is_1000_characters():
    assert MAX_MESSAGE_CHARS == 1000


# --- many errors at once ---------------------------------------------------------------------------


def test_every_independent_error_is_reported_not_only_the_first():
    data = scenario(
        buyer={"name": "", "items": [shopping_item(quantity=0)]},
        sellers=[seller("Bolt"), seller("Acme", inventory_item(cost_price=6))],
        llm={"temperature": 3, "concurrency": 0},
    )
    errors = errors_of(data)
    assert errors == [
        "Buyer: name must not be empty",
        "Buyer, Shopping item 1 'USB-C cable': quantity must be at least 1",
        "Seller 2 'Acme', item 'USB-C cable': least price must be above cost price",
        "LLM settings: temperature must be at most 2",
        "LLM settings: concurrency must be at least 1",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (scenario(sellers="Acme"), "Session: sellers must be a list"),
        (scenario(buyer=None), "Buyer: must be an object"),
        (scenario(sellers=[5]), "Seller 1: must be an object"),
        ({"sellers": [seller("Acme")]}, "Buyer: is required"),
    ],
)
def test_wrong_shapes_get_located_plain_messages(data, message):
    assert the_error(data) == message


def test_a_non_object_document_is_rejected():
    assert errors_of([1, 2]) == ["the file must contain a JSON object with 'buyer' and 'sellers'"]
