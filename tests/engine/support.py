"""Scripted agents for engine tests: a responder for the fake LM Studio that plays buyer and sellers."""
from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from negotiator_app.domain import (
    Buyer, InventoryItem, LLMSettings, Seller, SellerProfile, SessionConfig, ShoppingItem,
)
from negotiator_app.engine import Event, EventBus, SessionEngine
from negotiator_app.llm import LLMClient
from tests.fakes.fake_lmstudio import FakeReply

_ROUND = re.compile(r"\[Round (\d+) of (\d+)")
_TARGET = re.compile(r"do not go below ([\d,.]+)")


def make_config(sellers: int = 3, *, quantity: int = 2, max_price: float = 100.0, rounds: int = 10,
                concurrency: int = 4, context_tokens: int = 4096, items: int = 1) -> SessionConfig:
    """A room per item; seller i has floor 60+5i and ask 120+5i for every item."""
    item_names = [f"Widget {chr(65 + i)}" for i in range(items)]
    return SessionConfig(
        name="engine test",
        buyer=Buyer(name="Buyer", items=[
            ShoppingItem(name=n, quantity=quantity, min_price=50, max_price=max_price) for n in item_names
        ]),
        sellers=[
            Seller(
                name=f"Seller {chr(65 + i)}",
                profile=SellerProfile(priority=["customer_retention", "balanced", "maximize_profit"][i % 3],
                                      speaking_style=["rude", "neutral", "very_sweet"][i % 3]),
                inventory=[InventoryItem(name=n, cost_price=40, least_price=60 + 5 * i, selling_price=120 + 5 * i,
                                         quantity_available=10) for n in item_names],
            )
            for i in range(sellers)
        ],
        llm=LLMSettings(model="fake-model", max_rounds=rounds, concurrency=concurrency, context_tokens=context_tokens,
                        max_tokens=200),
    )


def agent_of(body: dict) -> str:
    """'Buyer' or the seller's name, read from the system prompt."""
    system = body["messages"][0]["content"]
    return re.match(r"You are (.+?), a (?:buyer|seller)", system).group(1)


def round_of(body: dict) -> int:
    match = _ROUND.search(body["messages"][-1]["content"])
    return int(match.group(1)) if match else 0


def is_opening(body: dict) -> bool:
    return "Start the negotiation" in body["messages"][-1]["content"]


@dataclass
class Script:
    """Decides what each agent says. Override the callables per test."""

    opening: str = "Hello @everyone, I need widgets. Your best price?"
    # (round, body) -> dict for the buyer's decision
    decide: Callable[[int, dict], dict | str | FakeReply] = field(
        default=lambda r, body: {"decision": "continue", "seller": None, "message": f"Round {r + 1}: lower please."}
    )
    # (seller, round, body) -> dict | str | FakeReply
    sell: Callable[[str, int, dict], Any] = field(
        default=lambda name, r, body: {"message": f"{name} offers.", "offer_price": target(body), "offer_quantity": None}
    )

    def __call__(self, body: dict) -> FakeReply | str:
        agent = agent_of(body)
        if "a buyer." in body["messages"][0]["content"]:
            reply = {"message": self.opening} if is_opening(body) else self.decide(round_of(body), body)
        else:
            reply = self.sell(agent, round_of(body), body)
        return reply if isinstance(reply, (FakeReply, str)) else json.dumps(reply)


def target(body: dict) -> float:
    return float(_TARGET.search(body["messages"][-1]["content"]).group(1).replace(",", ""))


def cheapest_standing(body: dict) -> tuple[str, float] | None:
    offers = re.findall(r"- (.+?): ([\d,.]+) per unit", body["messages"][-1]["content"])
    if not offers:
        return None
    name, price = min(offers, key=lambda o: float(o[1].replace(",", "")))
    return name, float(price.replace(",", ""))


class Recorder:
    """Collects engine events for assertions."""

    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        bus.subscribe(self.events.append)

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]


def seller_requests(fake, name: str) -> list[dict]:
    return [b for b in fake.requests if agent_of(b) == name and "a seller" in b["messages"][0]["content"]]


def buyer_requests(fake) -> list[dict]:
    return [b for b in fake.requests if "a buyer." in b["messages"][0]["content"]]


def prompt_text(body: dict) -> str:
    return "\n".join(m["content"] for m in body["messages"])


async def engine_for(fake, config: SessionConfig, **kwargs) -> tuple[SessionEngine, Recorder, LLMClient]:
    client = LLMClient(fake.base_url, max_retries=1, backoff_s=0.01)
    bus = EventBus()
    recorder = Recorder(bus)
    engine = SessionEngine(config, client, bus, **kwargs)
    for room in engine.rooms.values():
        room.retry_delays = (0.01, 0.01)
    return engine, recorder, client


async def wait_for(predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for condition")
        await asyncio.sleep(0.005)
