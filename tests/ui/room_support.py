"""Shared set-up for the room/bridge/session-view UI tests: a scripted negotiation on the fake server."""
from __future__ import annotations

import asyncio
import json
import re
import sys
import tempfile
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from negotiator_app.domain import SessionConfig
from negotiator_app.engine import EventBus, SessionEngine  # noqa: F401 - Env's field types
from negotiator_app.engine.events import Event
from negotiator_app.llm import LLMClient
from negotiator_app.runtime import SessionRuntime
from negotiator_app.storage import Store
from negotiator_app.ui.bridge import EngineBridge
from tests.domain.builders import inventory_item, scenario, seller, shopping_item
from tests.fakes.fake_lmstudio import FakeLMStudio, FakeReply

SCREENSHOTS = Path(__file__).resolve().parents[1] / "_screenshots"


def agent_of(body: dict[str, Any]) -> str:
    """'buyer' or the seller's name, read from the system prompt of a request."""
    system = body["messages"][0]["content"]
    match = re.match(r"You are (.+?), a (buyer|seller)", system)
    assert match, system[:80]
    return "buyer" if match.group(2) == "buyer" else match.group(1)


def request_text(body: dict[str, Any]) -> str:
    return "\n".join(str(m.get("content")) for m in body["messages"])


@dataclass
class Script:
    """What each agent says. Sellers offer `prices[name]` (or their round target) with `seller_text`."""

    opening: str = "Hello everyone, I need ten cables. What is your best price?"
    buyer_next: str = "Can you do better than that?"
    decision: str = "continue"  # or "accept:<seller>" / "walk_away"
    seller_text: str = "I can offer a fine price for you today, my friend."
    prices: dict[str, float | list[float] | None] = field(default_factory=dict)  # a list: one price per round
    reasoning: str = ""
    down: bool = False  # every request fails like a crashed model server

    def __call__(self, body: dict[str, Any]) -> FakeReply | str:
        if self.down:
            return FakeReply(fault="status", status=503, body="Model unloaded: the server is restarting")
        agent = agent_of(body)
        last = body["messages"][-1]["content"]
        if agent == "buyer":
            if "Start the negotiation" in last:
                return FakeReply(content=json.dumps({"message": self.opening}), reasoning=self.reasoning)
            decision, _, who = self.decision.partition(":")
            if decision == "continue" and "final decision" in last:
                decision = "walk_away"
            return json.dumps({"decision": decision, "seller": who or None, "message": self.buyer_next})
        price = self.prices.get(agent)
        if isinstance(price, list):
            round_ = int(re.search(r"Round (\d+) of", last).group(1))
            price = price[min(round_, len(price)) - 1]
        if price is None:
            match = re.search(r"do not go below ([\d,.]+)", last)
            price = float(match.group(1).replace(",", "")) if match else None
        return FakeReply(content=json.dumps({"message": self.seller_text, "offer_price": price, "offer_quantity": None}),
                         reasoning=self.reasoning)


def config(**llm: Any) -> SessionConfig:
    """Pat wants 10 USB-C cables (max 8.00); Bolt and Acme stock them (floor 5.00, ask 10.00); a lamp
    nobody sells is skipped; Acme alone sells paper clips (room-3)."""
    data = scenario(
        buyer={"name": "Pat", "items": [shopping_item(), shopping_item("Desk lamp", quantity=2, min_price=10, max_price=30),
                                         shopping_item("Paper clips", quantity=5)]},
        sellers=[seller("Bolt"), seller("Acme", inventory_item(), inventory_item("Paper clips"))],
    )
    data["llm"] = {"max_rounds": 4, **llm}
    return SessionConfig.model_validate(data)


@dataclass
class Env:
    fake: FakeLMStudio
    client: LLMClient
    bus: EventBus
    engine: SessionEngine
    bridge: EngineBridge
    events: list[Event]
    runtime: SessionRuntime

    @property
    def runner(self):
        return self.engine.rooms["room-1"]

    def of_type(self, cls) -> list:
        return [e for e in self.events if isinstance(e, cls)]


@asynccontextmanager
async def negotiation(fake: FakeLMStudio, script: Script, **llm: Any):
    """A session runtime (on a SQLite file in a temporary folder) and its bridge on the fake server; every
    room task is cancelled and awaited at the end."""
    fake.responder = script
    # qasync's run_forever installs no async-generator hooks (asyncio's does): without them, a stream
    # generator left at [DONE] is finalised by the GC with no loop and httpcore complains.
    loop = asyncio.get_running_loop()
    old_hooks = sys.get_asyncgen_hooks()
    sys.set_asyncgen_hooks(firstiter=loop._asyncgen_firstiter_hook, finalizer=loop._asyncgen_finalizer_hook)
    folder = tempfile.TemporaryDirectory(prefix="negotiator-ui-")
    store = Store.open(f"{folder.name}/negotiator.sqlite3")
    settings = config(**llm)
    runtime = SessionRuntime(store, store.create_session(settings).id,
                             lambda _llm: LLMClient(fake.base_url, max_retries=0, backoff_s=0.0), model="fake-model")
    events: list[Event] = []
    runtime.bus.subscribe(events.append)
    for runner in runtime.engine.rooms.values():
        runner.retry_delays = (0.01, 0.01)
    bridge = EngineBridge(runtime)
    try:
        yield Env(fake, runtime.client, runtime.bus, runtime.engine, bridge, events, runtime)
    finally:
        await bridge.stop_all()
        bridge.close()
        await runtime.close()
        store.close()
        folder.cleanup()
        await loop.shutdown_asyncgens()
        sys.set_asyncgen_hooks(*old_hooks)


def screenshot(widget, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert widget.grab().save(str(path)), path
    return path
