"""@mentions: who a buyer message addresses; tolerant of case, spaces and punctuation; e-mails are not mentions."""
from __future__ import annotations

import pytest

from negotiator_app.domain import parse_mentions, recipients_for

SELLERS = ["Acme", "Acme Store", "Bob's Bargains", "Zed"]


def mentioned(text: str, sellers=SELLERS) -> list[str]:
    return parse_mentions(text, sellers).sellers


@pytest.mark.parametrize(
    "text",
    ["@Acme_Store, your price?", "@acme store your price?", "@ACME-STORE!", "@Acme.Store", "Hi @AcmeStore."],
)
def test_a_multi_word_name_can_be_written_many_ways(text):
    assert mentioned(text) == ["Acme Store"]


@pytest.mark.parametrize("text", ["@Acme, hi", "(@Acme)", "@acme.", "@ACME!", "@Acme's price", "@Acme\nnext line"])
def test_punctuation_after_a_handle_ends_it(text):
    assert mentioned(text) == ["Acme"]


@pytest.mark.parametrize("text", ["@Bob's Bargains", "@bobs bargains", "@Bobs_Bargains", "@BOB'S-BARGAINS"])
def test_apostrophes_in_names_are_optional(text):
    assert mentioned(text) == ["Bob's Bargains"]


def test_the_longest_matching_name_wins():
    assert mentioned("@Acme Store can you go lower?") == ["Acme Store"]
    assert mentioned("@Acme can you go lower?") == ["Acme"]


def test_a_handle_must_end_at_a_word_boundary():
    result = parse_mentions("@Acme2 and @Zedd", SELLERS)
    assert result.sellers == []
    assert result.unknown == ["Acme2", "Zedd"]


def test_several_mentions_in_order_without_repeats():
    assert mentioned("@zed and @Acme, then @ZED again and @acme_store") == ["Zed", "Acme", "Acme Store"]


@pytest.mark.parametrize("text", ["mail sales@acme.com", "me@Zed", "bob_@Zed"])
def test_email_addresses_are_not_mentions(text):
    result = parse_mentions(text, SELLERS)
    assert result.sellers == [] and result.unknown == []


def test_unknown_handles_are_reported_once():
    result = parse_mentions("@Nobody and @Zed and @Nobody and @ghost-shop.", SELLERS)
    assert result.sellers == ["Zed"]
    assert result.unknown == ["Nobody", "ghost-shop."]


def test_a_lone_at_sign_is_neither_known_nor_unknown():
    result = parse_mentions("price @ 5 each, or @", SELLERS)
    assert result.sellers == [] and result.unknown == []


def test_names_whose_letters_fold_to_several_characters_can_be_mentioned():
    assert mentioned("@Straße hi", ["Straße"]) == ["Straße"]
    assert mentioned("@STRASSE hi", ["Straße"]) == ["Straße"]


def test_a_message_without_mentions_goes_to_every_seller():
    assert recipients_for("What is your best price for 12?", SELLERS) == SELLERS


def test_a_message_with_mentions_goes_only_to_them():
    assert recipients_for("@Zed and @bobs_bargains: final offer?", SELLERS) == ["Zed", "Bob's Bargains"]


def test_recipients_are_a_copy_not_the_room_list():
    room = ["Acme", "Zed"]
    recipients_for("hello", room).append("intruder")
    assert room == ["Acme", "Zed"]
