"""Mention routing, broadcast, and what each agent's prompt contains on the wire."""
import asyncio
import json

from negotiator_app.domain import RunState
from negotiator_app.engine import MessageCompleted
from tests.engine.support import (
    Script, buyer_requests, engine_for, make_config, prompt_text, seller_requests,
)
from tests.fakes.fake_lmstudio import FakeLMStudio


def run_room(fake, config, script, **kwargs):
    async def main():
        engine, events, client = await engine_for(fake, config, **kwargs)
        fake.responder = script
        room = next(iter(engine.rooms.values()))
        state = await room.start()
        await client.aclose()
        return room, events, state
    return asyncio.run(main())


def test_a_mention_reaches_only_that_seller_and_no_mention_reaches_all():
    def decide(r, body):
        if r == 1:
            return {"decision": "continue", "seller": None, "message": "@seller_b what about 70 each?"}
        return {"decision": "walk_away", "seller": None, "message": "Thanks all."}

    script = Script(opening="Hi all, who sells widgets?", decide=decide)
    with FakeLMStudio() as fake:
        room, events, state = run_room(fake, make_config(3), script)
    assert state == RunState.NO_DEAL
    # Round 1 was a broadcast: every seller was asked once; round 2 went to Seller B only.
    assert len(seller_requests(fake, "Seller A")) == 1
    assert len(seller_requests(fake, "Seller C")) == 1
    b_requests = seller_requests(fake, "Seller B")
    assert len(b_requests) == 2
    assert "what about 70 each?" in prompt_text(b_requests[1])
    for other in ("Seller A", "Seller C"):
        assert all("what about 70" not in prompt_text(b) for b in seller_requests(fake, other))
    buyer_msgs = [e.message for e in events.of(MessageCompleted) if e.message.role == "buyer"]
    assert buyer_msgs[0].recipients == ["Seller A", "Seller B", "Seller C"]
    assert buyer_msgs[1].recipients == ["Seller B"]


def test_buyer_prompts_never_contain_seller_private_fields_and_sellers_never_see_each_other():
    config = make_config(3)

    def sell(name, r, body):
        return {"message": f"SECRET-WORDS-OF-{name.replace(' ', '')} round {r}", "offer_price": 110, "offer_quantity": 2}

    script = Script(sell=sell, decide=lambda r, body: (
        {"decision": "continue", "seller": None, "message": "Lower?"} if r < 3
        else {"decision": "walk_away", "seller": None, "message": "Bye."}))
    with FakeLMStudio() as fake:
        run_room(fake, config, script)
    buyer_bodies = buyer_requests(fake)
    assert buyer_bodies, "the buyer spoke"
    private = []
    for seller in config.sellers:
        inv = seller.inventory[0]
        private += [f"{inv.cost_price:,.2f}", f"{inv.least_price:,.2f}", seller.profile.priority.value,
                    seller.profile.speaking_style.value, "least acceptable", "cost price"]
    for body in buyer_bodies:
        text = json.dumps(body)
        for secret in private:
            assert secret not in text, f"buyer prompt leaks {secret!r}"
    # The buyer does see every seller's words (later rounds).
    assert "SECRET-WORDS-OF-SellerA" in prompt_text(buyer_bodies[-1])
    for me in ("Seller A", "Seller B", "Seller C"):
        for body in seller_requests(fake, me):
            text = prompt_text(body)
            for other in {"SellerA", "SellerB", "SellerC"} - {me.replace(" ", "")}:
                assert f"SECRET-WORDS-OF-{other}" not in text, f"{me} saw {other}'s words"
            # ...and sees its own earlier words after round 1
        assert any(f"SECRET-WORDS-OF-{me.replace(' ', '')}" in prompt_text(b) for b in seller_requests(fake, me)[1:])


def test_system_prompt_is_identical_across_turns_for_prompt_cache():
    with FakeLMStudio() as fake:
        run_room(fake, make_config(2), Script(decide=lambda r, b: (
            {"decision": "continue", "seller": None, "message": "More?"} if r < 4
            else {"decision": "walk_away", "seller": None, "message": "Bye."})))
    for name in ("Seller A", "Seller B"):
        systems = {b["messages"][0]["content"].split("\n\n[")[0] for b in seller_requests(fake, name)}
        assert len(systems) == 1
        assert len(seller_requests(fake, name)) == 4
    assert len({b["messages"][0]["content"].split("\n\n[")[0] for b in buyer_requests(fake)}) == 1


def test_structured_output_is_requested_and_pane_text_is_the_natural_message():
    with FakeLMStudio() as fake:
        room, events, _ = run_room(fake, make_config(1), Script(
            decide=lambda r, b: {"decision": "walk_away", "seller": None, "message": "No thanks."}))
    assert all(b["response_format"]["type"] == "json_schema" for b in fake.requests)
    seller_msgs = [e.message for e in events.of(MessageCompleted) if e.message.role == "seller"]
    assert seller_msgs[0].text == "Seller A offers."  # not the JSON around it
