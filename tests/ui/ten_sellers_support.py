"""A room with ten sellers whose floors are close together, and a stored run where each made an offer."""
from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import UTC, datetime
from types import SimpleNamespace

from negotiator_app.domain import Message, Offer, Outcome, OutcomeKind, Role, RunState, SessionConfig
from negotiator_app.engine import EventBus, SessionEngine
from negotiator_app.llm import LLMClient
from negotiator_app.ui.bridge import EngineBridge
from negotiator_app.ui.room import RoomPane
from tests.domain.builders import inventory_item, scenario, seller

NAMES = ["Alder Supply", "Birch and Co", "Cedar Goods", "Dogwood Ltd", "Elm Traders",
         "Fir Wholesale", "Ginkgo Parts", "Hazel Depot", "Ivy Market", "Juniper Bros"]
FLOORS = [5.00 + 0.05 * i for i in range(10)]  # 5.00, 5.05, ... 5.45: ten floor lines within half a unit


def ten_seller_config(count: int = 10) -> SessionConfig:
    sellers = [seller(name, inventory_item(least_price=floor, selling_price=10))
               for name, floor in zip(NAMES[:count], FLOORS)]
    data = scenario(sellers=sellers)
    data["buyer"]["items"][0]["max_price"] = 5.30  # the buyer's max sits among the floors
    return SessionConfig.model_validate(data)


def stored_run(count: int = 10) -> SimpleNamespace:
    """Every seller spoke and offered just above its floor; the buyer took Alder's offer."""
    now = datetime.now(UTC)
    messages = [Message(seq=1, round=1, sender="Pat", role=Role.BUYER, recipients=NAMES[:count],
                        text="Hello all, ten cables please.", created_at=now)]
    offers = []
    for i, (name, floor) in enumerate(zip(NAMES[:count], FLOORS)):
        messages.append(Message(seq=i + 2, round=1, sender=name, role=Role.SELLER, recipients=["Pat"],
                                text=f"{name} can do {floor + 0.1:.2f}.", created_at=now))
        offers.append(Offer(seller=name, price_per_unit=round(floor + 0.1, 2), quantity=10, round=1,
                            message_seq=i + 2))
    deal = Outcome(kind=OutcomeKind.DEAL, seller=NAMES[0], price_per_unit=5.10, quantity=10, reason="cheapest")
    return SimpleNamespace(run_id="stored", messages=messages, offers=offers, violations=[], outcome=deal,
                           state=RunState.DECIDED, rounds=1)


@asynccontextmanager
async def ten_seller_pane(qtbot, count: int = 10):
    bus = EventBus()
    client = LLMClient("http://127.0.0.1:9/v1", max_retries=0)  # never asked: the pane only shows stored runs
    engine = SessionEngine(ten_seller_config(count), client, bus, model="fake-model")
    bridge = EngineBridge(bus)
    pane = RoomPane(engine.rooms["room-1"], bridge)
    qtbot.addWidget(pane)
    try:
        yield pane
    finally:
        bridge.close()
        await client.aclose()
