"""The hybrid seam: the instruction a model gets for a decided move, and the check of its reply."""
import json

from negotiator_app.domain import Decision
from negotiator_app.engine.protocol import parse_buyer_reply, parse_seller_reply
from negotiator_app.strategies import (
    BuyerMove, buyer_instruction, check_buyer_reply, check_seller_reply,
    seller_instruction,
)


def test_seller_instruction_names_the_exact_price_and_quantity():
    text = seller_instruction(12.5, 4)
    assert "exactly 12.50 per unit for 4 units" in text
    assert "offer_price to 12.50" in text and "offer_quantity to 4" in text


def test_a_reply_that_keeps_the_price_passes():
    reply = parse_seller_reply(json.dumps({"message": "Alright, $12.50 a unit it is.", "offer_price": 12.5, "offer_quantity": 4}))
    assert check_seller_reply(reply.message, reply.offer_price, reply.offer_quantity, 12.5, 4) is None


def test_replies_that_stray_are_told_why():
    assert check_seller_reply("12.50 each", 13.0, 4, 12.5, 4) == "offer_price must be exactly 12.50"
    assert check_seller_reply("12.50 each", None, 4, 12.5, 4) == "offer_price must be exactly 12.50"
    assert check_seller_reply("12.50 each", 12.5, 3, 12.5, 4) == "offer_quantity must be exactly 4"
    assert check_seller_reply("A great price!", 12.5, 4, 12.5, 4) == "the message must state the price 12.50 per unit"
    assert check_seller_reply("Now 12.49", 12.5, 4, 12.5, 4) == "the message must state the price 12.50 per unit"


def test_buyer_counter_instruction_and_check():
    move = BuyerMove("", Decision.CONTINUE, counter_price=15.0, addressed="Acme")
    assert "Address @Acme and propose exactly 15.00 per unit" in buyer_instruction(move)
    ok = parse_buyer_reply('{"decision": "continue", "seller": null, "message": "@Acme would 15 work?"}', [Decision.CONTINUE])
    assert check_buyer_reply(ok.message, ok.decision, ok.seller, move) is None
    assert check_buyer_reply("@Bolt would 15 work?", Decision.CONTINUE, None, move) == "the message must address @Acme"
    assert check_buyer_reply("@acme would 15 work?", Decision.CONTINUE, None, move) is None  # mentions ignore case
    assert check_buyer_reply("@Acme would 16 work?", Decision.CONTINUE, None, move) == "the message must state the price 15.00 per unit"
    assert check_buyer_reply("@Acme 15?", Decision.WALK_AWAY, None, move) == "the decision must be continue"


def test_buyer_accept_and_walk_away_instructions_and_checks():
    accept = BuyerMove("", Decision.ACCEPT, seller="Acme")
    assert "accepting @Acme's offer" in buyer_instruction(accept)
    assert check_buyer_reply("Deal!", Decision.ACCEPT, "@acme", accept) is None
    assert check_buyer_reply("Deal!", Decision.ACCEPT, "Bolt", accept) == "the seller accepted must be Acme"
    walk = BuyerMove("", Decision.WALK_AWAY)
    assert "without a deal" in buyer_instruction(walk)
    assert check_buyer_reply("Bye.", Decision.WALK_AWAY, None, walk) is None
