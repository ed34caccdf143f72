"""Room and session summaries built from run metrics: the numbers the summary view and logs show."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from ..domain import RunState, plan_rooms, saving_points
from .metrics import AgentStats, RunMetrics, agent_stats, run_metrics

if TYPE_CHECKING:
    from ..storage import Store


class RoomMetrics(BaseModel):
    room_key: str
    item: str
    runs: int
    deals: int
    no_deals: int
    best_price: float | None = None
    average_price: float | None = None
    average_rounds: float | None = None
    latest_run_id: str


class ItemRow(BaseModel):
    """One shopping-list line, judged by the latest run of its room (the one shown by default)."""

    index: int
    item: str
    quantity: int
    room_key: str | None = None
    status: str  # bought | not_bought | stopped | interrupted | error | running | not_run | skipped
    skip_reason: str | None = None
    latest: RunMetrics | None = None


class SessionMetrics(BaseModel):
    session_id: int
    name: str
    items: list[ItemRow]
    rooms: list[RoomMetrics] = Field(default_factory=list)
    items_bought: int = 0
    items_not_bought: int = 0
    total_spent: float = 0.0
    total_asking: float = 0.0  # what the bought items would have cost at the winning sellers' asks
    total_savings: float = 0.0
    savings_pct: float | None = None
    average_rounds: float | None = None
    average_duration_s: float | None = None
    messages: int = 0
    violations_by_kind: dict[str, int] = Field(default_factory=dict)
    disclosures: int = 0
    disclosures_by_secret: dict[str, int] = Field(default_factory=dict)
    parse_failures: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    agents: list[AgentStats] = Field(default_factory=list)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def session_metrics(store: Store, session_id: int) -> SessionMetrics:
    session = store.get_session(session_id)
    plan = plan_rooms(session.config)
    summaries = store.list_runs(session_id)  # newest first
    records = {s.run_id: store.load_run(s.run_id) for s in summaries}
    by_room: dict[str, list[RunMetrics]] = {}
    for s in summaries:
        by_room.setdefault(s.room_key, []).append(run_metrics(records[s.run_id]))
    rows: list[ItemRow] = []
    for skipped in plan.skipped:
        rows.append(ItemRow(index=skipped.index, item=skipped.item.name, quantity=skipped.item.quantity,
                            status="skipped", skip_reason=f"{skipped.reason.value}: {skipped.detail}"))
    for room in plan.rooms:
        latest = by_room.get(room.key, [None])[0]
        status = "not_run" if latest is None else item_status(latest)
        rows.append(ItemRow(index=room.index, item=room.item.name, quantity=room.item.quantity, room_key=room.key,
                            status=status, latest=latest))
    rows.sort(key=lambda r: r.index)
    latest_runs = [r.latest for r in rows if r.latest is not None]
    bought = [m for m in latest_runs if m.bought]
    spent = round(sum(m.total or 0 for m in bought), 2)
    asking = round(sum((m.asking_price or 0) * m.quantity for m in bought if m.asking_price is not None), 2)
    kinds: Counter[str] = Counter()
    secrets: Counter[str] = Counter()
    for m in latest_runs:
        kinds.update(m.violations_by_kind)
        secrets.update(m.disclosures_by_secret)
    return SessionMetrics(
        session_id=session_id, name=session.name, items=rows, rooms=[_room(k, v) for k, v in sorted(by_room.items())],
        items_bought=len(bought), items_not_bought=len(rows) - len(bought), total_spent=spent, total_asking=asking,
        total_savings=round(sum(m.savings_total or 0 for m in bought), 2),
        savings_pct=saving_points(asking, spent),
        average_rounds=_mean([m.rounds for m in latest_runs]),
        average_duration_s=_mean([m.duration_s for m in latest_runs if m.duration_s is not None]),
        messages=sum(m.messages for m in latest_runs), violations_by_kind=dict(sorted(kinds.items())),
        disclosures=sum(secrets.values()), disclosures_by_secret=dict(sorted(secrets.items())),
        parse_failures=sum(m.parse_failures for m in latest_runs),
        prompt_tokens=sum(m.prompt_tokens for m in latest_runs),
        completion_tokens=sum(m.completion_tokens for m in latest_runs),
        agents=agent_stats([records[m.run_id] for m in latest_runs]),
    )


# A run that did not end in a decision is not a "no deal": say what happened to it.
UNFINISHED_STATUS = {RunState.STOPPED: "stopped", RunState.INTERRUPTED: "interrupted", RunState.ERROR: "error"}


def item_status(latest: RunMetrics) -> str:
    if latest.bought:
        return "bought"
    if latest.state in UNFINISHED_STATUS:
        return UNFINISHED_STATUS[latest.state]
    return "running" if not latest.state.finished else "not_bought"


def _room(key: str, runs: list[RunMetrics]) -> RoomMetrics:
    prices = [m.price_per_unit for m in runs if m.bought and m.price_per_unit is not None]
    return RoomMetrics(
        room_key=key, item=runs[0].item, runs=len(runs), deals=sum(m.bought for m in runs),
        no_deals=sum(1 for m in runs if m.outcome is not None and not m.bought),
        best_price=min(prices) if prices else None, average_price=_mean(prices),
        average_rounds=_mean([m.rounds for m in runs]), latest_run_id=runs[0].run_id,
    )
