"""Summary metrics per run, room and session — computed in code from stored records, never by a model."""
from __future__ import annotations

from collections import Counter, defaultdict

from pydantic import BaseModel, Field

from ..domain import Outcome, OutcomeKind, Role, RunState, SessionConfig, describe_agent, plan_rooms, saving_points
from ..domain.names import normalize_name
from ..storage.models import RunRecord


class AgentStats(BaseModel):
    agent: str
    role: str
    played_by: str = Field(default="", description="who played this agent: a model, a strategy, or both")
    models: list[str] = Field(default_factory=list, description="the models that wrote this agent's messages")
    messages: int = 0
    disclosures: int = Field(default=0, description="times it stated its own private numbers")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    avg_time_to_first_token_s: float | None = None
    tokens_per_s: float | None = None  # completion tokens over generation time, across the agent's messages


class RunMetrics(BaseModel):
    run_id: str
    room_key: str
    item: str
    quantity: int
    state: RunState
    outcome: OutcomeKind | None = None
    bought: bool = False
    seller: str | None = None
    price_per_unit: float | None = None
    total: float | None = None
    asking_price: float | None = None  # the winning seller's selling price per unit
    savings_per_unit: float | None = None
    savings_total: float | None = None
    savings_pct: float | None = None
    winning_floor: float | None = None
    buyer_max: float
    price_position: float | None = None  # 0 = at the winning seller's floor, 1 = at the buyer's max
    buyer_surplus_share: float | None = None  # (max − price) / (max − floor)
    lowest_floor_sellers: list[str] = Field(default_factory=list)
    went_to_lowest_floor: bool | None = None
    rounds: int = 0
    duration_s: float | None = None
    messages: int = 0
    violations: int = 0
    violations_by_kind: dict[str, int] = Field(default_factory=dict)
    disclosures: int = 0
    disclosures_by_secret: dict[str, int] = Field(default_factory=dict)
    parse_failures: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    agents: list[AgentStats] = Field(default_factory=list)


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def agent_stats(records: list[RunRecord]) -> list[AgentStats]:
    by_agent: dict[str, list] = defaultdict(list)
    roles: dict[str, str] = {}
    played: dict[str, str] = {}
    disclosed: Counter[str] = Counter()
    for record in records:
        for m in record.messages:
            by_agent[m.sender].append(m)
            roles[m.sender] = m.role.value
            if m.sender not in played and not m.typed_by_person:
                played[m.sender] = _played_by(record, m.sender)
        disclosed.update(d.agent for d in record.disclosures)
    out = []
    for agent, msgs in by_agent.items():
        usages = [m.usage for m in msgs if m.usage is not None]
        ttft = [u.time_to_first_token_s for u in usages if u.time_to_first_token_s is not None]
        timed = [(u.completion_tokens, u.duration_s) for u in usages if u.completion_tokens and u.duration_s]
        gen_time = sum(d for _, d in timed)
        out.append(AgentStats(
            agent=agent, role=roles[agent], messages=len(msgs), played_by=played.get(agent, "a person"),
            models=sorted({m.produced_by.model for m in msgs if m.produced_by and m.produced_by.model}),
            disclosures=disclosed[agent],
            prompt_tokens=sum(u.prompt_tokens or 0 for u in usages),
            completion_tokens=sum(u.completion_tokens or 0 for u in usages),
            avg_time_to_first_token_s=_r(sum(ttft) / len(ttft)) if ttft else None,
            tokens_per_s=_r(sum(t for t, _ in timed) / gen_time, 2) if gen_time else None,
        ))
    out.sort(key=lambda a: (a.role != Role.BUYER.value, a.agent))
    return out


def _played_by(record: RunRecord, name: str) -> str:
    try:
        agent = record.config.agent(name)
    except KeyError:
        return ""
    return describe_agent(agent, record.model)


def deal_terms(config: SessionConfig, room_key: str, outcome: Outcome | None, quantity: int) -> dict:
    """The run's outcome measured against its room: the buyer's max, the floors and, for a deal, the price, its
    savings and the buyer's share of the surplus (RunMetrics fields, by name)."""
    plan = next((p for p in plan_rooms(config).rooms if p.key == room_key), None)
    stocks = {s.name: s.stock for s in plan.sellers} if plan else {}
    item = plan.item if plan else None
    buyer_max = item.max_price if item else 0.0
    floors = {name: s.least_price for name, s in stocks.items()}
    lowest = min(floors.values()) if floors else None
    terms: dict = {"buyer_max": buyer_max, "lowest_floor_sellers": sorted(n for n, f in floors.items() if f == lowest)}
    if outcome and outcome.kind == OutcomeKind.DEAL and outcome.price_per_unit is not None:
        stock = next((s for n, s in stocks.items() if normalize_name(n) == normalize_name(outcome.seller or "")), None)
        price, qty = outcome.price_per_unit, outcome.quantity or quantity
        terms.update(bought=True, seller=outcome.seller, price_per_unit=price, total=round(price * qty, 2))
        if stock is not None:
            ask, floor = stock.selling_price, stock.least_price
            terms.update(asking_price=ask, winning_floor=floor, savings_per_unit=round(ask - price, 2),
                         savings_total=round((ask - price) * qty, 2), savings_pct=saving_points(ask, price),
                         went_to_lowest_floor=floor == lowest)
            if buyer_max > floor:  # otherwise there was no zone of agreement to share
                terms.update(price_position=_r((price - floor) / (buyer_max - floor)),
                             buyer_surplus_share=_r((buyer_max - price) / (buyer_max - floor)))
    return terms


def run_metrics(record: RunRecord, config: SessionConfig | None = None) -> RunMetrics:
    """Metrics of one run; `config` defaults to the configuration the run itself used."""
    config = config or record.config
    kinds = Counter(v.kind.value for v in record.violations)
    usages = [m.usage for m in record.messages if m.usage is not None]
    return RunMetrics(
        run_id=record.run_id, room_key=record.room_key, item=record.item, quantity=record.quantity,
        state=record.state, outcome=record.outcome.kind if record.outcome else None,
        rounds=record.rounds, messages=len(record.messages),
        duration_s=_r((record.finished_at - record.started_at).total_seconds(), 3) if record.finished_at else None,
        violations=len(record.violations), violations_by_kind=dict(sorted(kinds.items())),
        disclosures=len(record.disclosures),
        disclosures_by_secret=dict(sorted(Counter(d.secret for d in record.disclosures).items())),
        parse_failures=record.parse_failures,
        prompt_tokens=sum(u.prompt_tokens or 0 for u in usages),
        completion_tokens=sum(u.completion_tokens or 0 for u in usages),
        agents=agent_stats([record]),
        **deal_terms(config, record.room_key, record.outcome, record.quantity),
    )
