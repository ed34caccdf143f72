"""Who plays each agent: strategies (no server at all), per-agent models, hybrids and mixed rooms, with the
same rules, visibility and events as model agents; disclosures of private numbers are recorded."""
from __future__ import annotations

import asyncio
import socket

from negotiator_app.domain import AgentConfig, AgentKind, OutcomeKind, Role, RunState, load_scenario
from negotiator_app.engine import DisclosureMade, MessageCompleted, OfferMade, RunStarted
from tests.domain.builders import SCENARIO_DIR
from tests.engine.support import (
    Script, buyer_requests, engine_for, make_config, prompt_text, seller_requests,
)
from tests.fakes.fake_lmstudio import FakeLMStudio

BOULWARE = AgentConfig(kind="strategy", strategy={"kind": "boulware"})


def closed_port_url() -> str:
    """A URL where nothing listens: any request to it would fail the run."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


class NoServer:
    base_url = closed_port_url()
    requests: list = []


def with_agents(config, buyer=None, **sellers):
    data = config.model_dump()
    if buyer is not None:
        data["buyer"]["agent"] = buyer.model_dump()
    for seller in data["sellers"]:
        if seller["name"] in sellers:
            seller["agent"] = sellers[seller["name"]].model_dump()
    return type(config).model_validate(data)


def run_first_room(fake, config, script=None, seed=None):
    async def main():
        engine, events, client = await engine_for(fake, config)
        if script is not None:
            fake.responder = script
        room = next(iter(engine.rooms.values()))
        state = await room.start(seed=seed)
        await client.aclose()
        return room, events, state
    return asyncio.run(main())


def strategy_example():
    return load_scenario(SCENARIO_DIR / "classic_negotiators.json")


def test_a_session_of_strategies_runs_to_a_deal_with_no_server():
    room, events, state = run_first_room(NoServer(), strategy_example(), seed=7)
    assert state == RunState.DECIDED and room.outcome.kind == OutcomeKind.DEAL
    messages = [e.message for e in events.of(MessageCompleted)]
    assert {m.produced_by.agent_kind for m in messages} == {AgentKind.STRATEGY}
    assert all(m.produced_by.seed == 7 and m.produced_by.model is None for m in messages)
    assert events.of(RunStarted)[0].seed == 7 and events.of(RunStarted)[0].model == ""
    # Every offer went through the same rules: all binding, inside each seller's limits.
    config = strategy_example()
    for offer in [e.offer for e in events.of(OfferMade)]:
        stock = config.seller(offer.seller).inventory[0]
        assert offer.binding and stock.least_price <= offer.price_per_unit <= stock.selling_price
    assert room.outcome.price_per_unit <= config.buyer.items[0].max_price


def test_the_same_seed_replays_the_same_transcript():
    def transcript(seed):
        _, events, _ = run_first_room(NoServer(), strategy_example(), seed=seed)
        return [(m.sender, m.recipients, m.text) for m in (e.message for e in events.of(MessageCompleted))]

    first = transcript(42)
    assert transcript(42) == first
    assert len(first) > 5


def test_mixed_room_llm_buyer_three_boulware_and_two_llm_sellers():
    config = with_agents(make_config(5), **{f"Seller {c}": BOULWARE for c in "ABC"})

    def decide(r, body):
        if r < 3:
            return {"decision": "continue", "seller": None, "message": f"Round {r + 1}: lower please."}
        return {"decision": "walk_away", "seller": None, "message": "Thanks all."}

    def sell(name, r, body):
        return {"message": f"LLM-WORDS-{name[-1]} r{r}", "offer_price": 110 + r, "offer_quantity": 2}
    with FakeLMStudio() as fake:
        room, events, state = run_first_room(fake, config, Script(decide=decide, sell=sell))
    assert state == RunState.NO_DEAL
    for strategy_seller in ("Seller A", "Seller B", "Seller C"):
        assert seller_requests(fake, strategy_seller) == []  # a strategy never calls the server
    messages = [e.message for e in events.of(MessageCompleted)]
    strategy_texts = [m.text for m in messages if m.role == Role.SELLER and m.sender in ("Seller A", "Seller B", "Seller C")]
    assert len(strategy_texts) == 9  # three sellers, three rounds
    # The buyer reads every seller's message, strategy or model, and no private field of any seller.
    last_buyer = prompt_text(buyer_requests(fake)[-1])
    assert all(text in last_buyer for text in strategy_texts)
    for seller in config.sellers:
        stock = seller.inventory[0]
        assert f"{stock.cost_price:.2f}" not in last_buyer and seller.profile.priority.value not in last_buyer
    # A model seller never sees another seller's message, whoever wrote it.
    for name in ("Seller D", "Seller E"):
        seen = "\n".join(prompt_text(b) for b in seller_requests(fake, name))
        assert not any(text in seen for text in strategy_texts)
        other = "E" if name.endswith("D") else "D"
        assert f"LLM-WORDS-{other}" not in seen
    assert len(seller_requests(fake, "Seller D")) == 3


def test_each_agent_uses_its_own_model_and_temperature():
    config = with_agents(make_config(2), buyer=AgentConfig(model="buyer-model", temperature=0.1),
                         **{"Seller A": AgentConfig(model="seller-a-model", temperature=1.3)})
    def decide(r, body):
        return {"decision": "walk_away", "seller": None, "message": "No, thanks."}
    with FakeLMStudio() as fake:
        _, events, state = run_first_room(fake, config, Script(decide=decide))
    assert state == RunState.NO_DEAL
    assert {(b["model"], b["temperature"]) for b in buyer_requests(fake)} == {("buyer-model", 0.1)}
    assert {(b["model"], b["temperature"]) for b in seller_requests(fake, "Seller A")} == {("seller-a-model", 1.3)}
    assert {(b["model"], b["temperature"]) for b in seller_requests(fake, "Seller B")} == {("fake-model", 0.7)}
    by_sender = {m.sender: m.produced_by for m in (e.message for e in events.of(MessageCompleted))}
    assert by_sender["Buyer"].model == "buyer-model" and by_sender["Seller A"].model == "seller-a-model"
    assert by_sender["Seller B"].model == "fake-model" and by_sender["Seller B"].temperature == 0.7
    assert all(p.agent_kind is AgentKind.LLM and p.latency_s is not None for p in by_sender.values())
    agents = events.of(RunStarted)[0].agents
    assert agents["Seller A"]["model"] == "seller-a-model" and agents["Buyer"]["temperature"] == 0.1


def hybrid_config():
    return with_agents(make_config(1, rounds=3), **{"Seller A": AgentConfig(kind="hybrid", strategy={"kind": "linear"})})


def test_a_hybrid_seller_is_told_the_strategy_price_and_its_words_are_kept():
    def sell(name, r, body):
        price = float(body["messages"][-1]["content"].split("offer exactly ")[1].split(" per unit")[0])
        return {"message": f"For you, {price:.2f} per unit, friend.", "offer_price": price, "offer_quantity": 2}

    def decide(r, body):
        return {"decision": "continue" if r < 3 else "walk_away", "seller": None, "message": "Lower?"}
    with FakeLMStudio() as fake:
        _, events, _ = run_first_room(fake, hybrid_config(), Script(sell=sell, decide=decide), seed=3)
    sellers = [e.message for e in events.of(MessageCompleted) if e.message.role == Role.SELLER]
    offers = [e.offer.price_per_unit for e in events.of(OfferMade)]
    assert [m.text for m in sellers] == [f"For you, {p:.2f} per unit, friend." for p in offers]
    assert offers == sorted(offers, reverse=True) and offers[-1] == 60  # Linear reaches the floor at the limit
    assert all(m.produced_by.agent_kind is AgentKind.HYBRID and not m.produced_by.fallback for m in sellers)


def test_a_hybrid_seller_that_ignores_the_price_falls_back_to_the_strategy_words():
    def sell(name, r, body):
        return {"message": "Best I can do is 99 each.", "offer_price": 99, "offer_quantity": 2}
    def decide(r, body):
        return {"decision": "walk_away", "seller": None, "message": "Bye."}
    with FakeLMStudio() as fake:
        _, events, _ = run_first_room(fake, hybrid_config(), Script(sell=sell, decide=decide), seed=3)
    assert len(seller_requests(fake, "Seller A")) == 2  # asked once more, saying what was wrong
    assert "keep to the decided move" in prompt_text(seller_requests(fake, "Seller A")[1])
    seller_msg = next(e.message for e in events.of(MessageCompleted) if e.message.role == Role.SELLER)
    offer = events.of(OfferMade)[0].offer
    assert seller_msg.produced_by.fallback and seller_msg.produced_by.failed_attempts == 2
    assert "99" not in seller_msg.text and f"{offer.price_per_unit:.2f}" in seller_msg.text


def test_a_message_stating_its_senders_private_numbers_is_a_disclosure():
    def sell(name, r, body):
        return {"message": "It cost me 40.00, and 60.00 is my lowest. I offer 110.",
               "offer_price": 110, "offer_quantity": 2}
    def decide(r, body):
        return {"decision": "walk_away", "seller": None, "message": "My budget tops out at 100."}
    with FakeLMStudio() as fake:
        _, events, _ = run_first_room(fake, make_config(1), Script(sell=sell, decide=decide))
    found = {(d.agent, d.secret, d.value) for d in events.of(DisclosureMade)}
    assert found == {("Seller A", "cost", 40.0), ("Seller A", "floor", 60.0), ("Buyer", "max_price", 100.0)}
    seller_seq = next(e.message.seq for e in events.of(MessageCompleted) if e.message.role == Role.SELLER)
    assert {d.message_seq for d in events.of(DisclosureMade) if d.agent == "Seller A"} == {seller_seq}
