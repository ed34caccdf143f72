"""An experiment's report: one row per stored run, estimates per arm, differences between arms, cross-play."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from itertools import combinations

from pydantic import BaseModel, Field

from ..domain import OutcomeKind, Role, SessionConfig, plan_rooms
from ..domain.config import STORED
from ..export.metrics import deal_terms, run_metrics
from ..storage import Store
from ..storage.experiments import StoredExperiment, load_experiment
from ..storage.models import RunRecord
from ..storage.run_facts import RunFacts, run_facts
from . import stats
from .who import who_plays

REPORT_VERSION = 2  # 2: cross-play cells carry intervals, deal positions and deal counts


class Interval(BaseModel):
    value: float | None = None
    low: float | None = None
    high: float | None = None
    n: int = 0

    @classmethod
    def of(cls, e: stats.Estimate) -> Interval:
        return cls(value=e.value, low=e.low, high=e.high, n=e.n)


class RunRow(BaseModel):
    """One stored run of the experiment (an experiment repetition has one run per room)."""

    experiment_id: int
    arm: str
    repetition: int
    position: int = Field(description="its place in the interleaved schedule, from 0")
    seed: int
    seller_order: str = Field(description="the order the buyer was shown the sellers in, '|'-separated")
    run_id: str
    room: str
    item: str
    buyer: str = Field(description="who played the buyer")
    sellers: str = Field(description="who played the sellers ('mixed' when they differ)")
    state: str
    deal: bool
    seller: str | None = None
    price_per_unit: float | None = None
    lowest_floor: float | None = None
    buyer_max: float
    deal_position: float | None = Field(default=None, description="0 = at the lowest floor in the room, 1 = at the buyer's max")
    buyer_surplus_share: float | None = Field(default=None, description="(max − price) / (max − winning seller's floor)")
    rounds: int
    seller_messages: int
    seller_violations: int
    messages: int
    disclosures: int | None = Field(default=None, description="null where disclosures are not recorded")
    requests: int = Field(description="replies asked of a model (usable or not)")
    unusable_replies: int
    completion_tokens: int
    generation_s: float


class ArmReport(BaseModel):
    arm: str
    buyer: str
    sellers: str
    runs: int
    deal_rate: Interval
    mean_price: Interval
    median_price: float | None = None
    deal_position: Interval
    buyer_surplus_share: Interval
    rounds_to_close: Interval = Field(description="rounds of the runs that ended in a deal")
    violations_per_100_seller_messages: Interval
    disclosures_per_100_messages: Interval | None = Field(default=None, description="null: not recorded")
    unusable_per_100_requests: Interval
    tokens_per_s: float | None = None


class Difference(BaseModel):
    """Arm a minus arm b, with its 95 % interval; clear when the interval excludes 0."""

    metric: str
    arm_a: str
    arm_b: str
    value: float | None
    low: float | None
    high: float | None
    clear: bool
    method: str


class CrossPlayCell(BaseModel):
    """Every counted run with this buyer against these sellers, pooled over the arms that pair them."""

    buyer: str = Field(description="who played the buyer (the matrix's row)")
    sellers: str = Field(description="who played the sellers, 'mixed' when they differ (the matrix's column)")
    runs: int
    deals: int
    deal_rate: Interval = Field(description="95 % Wilson interval")
    mean_price: float | None = Field(default=None, description="mean price per unit of the deals")
    deal_position: Interval = Field(description="mean deal position (0 = lowest floor, 1 = buyer's max), "
                                                "95 % bootstrap interval")


class ExperimentReport(BaseModel):
    """The statistics of one experiment, computed from its stored runs."""

    report_version: int = REPORT_VERSION
    experiment_id: int
    name: str
    created_at: datetime
    scenario: str
    repetitions: int
    scheduled: int
    done: int
    arms: list[ArmReport]
    differences: list[Difference]
    cross_play: list[CrossPlayCell]
    runs: list[RunRow]


def _lowest_floor(config: SessionConfig, room_key: str) -> float | None:
    plan = next((p for p in plan_rooms(config).rooms if p.key == room_key), None)
    return min(s.stock.least_price for s in plan.sellers) if plan and plan.sellers else None


def _unusable(record: RunRecord) -> int:
    """Parse failures plus sellers that stayed silent without one (a parse failure may end in silence too)."""
    failed = {(e.agent, e.round) for e in record.events if e.kind == "parse_failed"}
    silent = sum(1 for e in record.events if e.kind == "seller_silent" and (e.agent, e.round) not in failed)
    return record.parse_failures + silent


def run_row(experiment: StoredExperiment, run, record: RunRecord) -> RunRow:
    m = run_metrics(record)
    config = record.config
    buyer, sellers = who_plays(config)
    floor = _lowest_floor(config, record.room_key)
    position = None
    if m.bought and m.price_per_unit is not None and floor is not None and m.buyer_max > floor:
        position = round((m.price_per_unit - floor) / (m.buyer_max - floor), 4)
    seller_msgs = [x for x in record.messages if x.role == Role.SELLER]
    buyer_name = config.buyer.name
    model_made = [x for x in record.messages if getattr(getattr(x, "produced_by", None), "agent_kind", "llm") != "strategy"]
    disclosures = getattr(record, "disclosures", None)
    timed = [x.usage for x in record.messages if x.usage and x.usage.completion_tokens and x.usage.duration_s]
    unusable = _unusable(record)
    return RunRow(
        experiment_id=experiment.id, arm=run.arm, repetition=run.repetition, position=run.position, seed=run.seed,
        seller_order="|".join(run.seller_order), run_id=record.run_id, room=record.room_key, item=record.item,
        buyer=buyer, sellers=sellers, state=record.state.value, deal=m.outcome == OutcomeKind.DEAL, seller=m.seller,
        price_per_unit=m.price_per_unit, lowest_floor=floor, buyer_max=m.buyer_max, deal_position=position,
        buyer_surplus_share=m.buyer_surplus_share, rounds=m.rounds, seller_messages=len(seller_msgs),
        seller_violations=sum(1 for v in record.violations if v.agent != buyer_name), messages=m.messages,
        disclosures=None if disclosures is None else len(disclosures), requests=len(model_made) + unusable,
        unusable_replies=unusable, completion_tokens=sum(u.completion_tokens or 0 for u in timed),
        generation_s=round(sum(u.duration_s or 0.0 for u in timed), 4),
    )


def run_rows(store: Store, experiment: StoredExperiment) -> list[RunRow]:
    """The counted runs: finished repetitions only (an unfinished attempt is run again, never counted). The same
    rows as run_row() on each loaded run, from a few aggregate queries instead of every transcript."""
    counted = [(run, run_id) for run in experiment.runs if run.done for run_id in run.run_ids]
    facts = run_facts(store, [run_id for _, run_id in counted])
    read = _ConfigCache()
    return [_row_from_facts(experiment, run, facts[run_id], read) for run, run_id in counted if run_id in facts]


class _ConfigCache:
    """The runs of an arm share a handful of configurations (they differ in seller order): parse each once."""

    def __init__(self) -> None:
        self._parsed: dict[str, tuple[SessionConfig, tuple[str, str]]] = {}

    def __call__(self, config_json: str) -> tuple[SessionConfig, tuple[str, str]]:
        if config_json not in self._parsed:
            config = SessionConfig.model_validate_json(config_json, context=STORED)
            self._parsed[config_json] = config, who_plays(config)
        return self._parsed[config_json]


def _row_from_facts(experiment: StoredExperiment, run, f: RunFacts, read: _ConfigCache) -> RunRow:
    config, (buyer, sellers) = read(f.config_json)
    terms = deal_terms(config, f.room_key, f.outcome, f.quantity)
    floor = _lowest_floor(config, f.room_key)
    price, buyer_max = terms.get("price_per_unit"), terms["buyer_max"]
    position = None
    if terms.get("bought") and price is not None and floor is not None and buyer_max > floor:
        position = round((price - floor) / (buyer_max - floor), 4)
    unusable = f.parse_failures + f.silent_without_parse_failure
    return RunRow(
        experiment_id=experiment.id, arm=run.arm, repetition=run.repetition, position=run.position, seed=run.seed,
        seller_order="|".join(run.seller_order), run_id=f.run_id, room=f.room_key, item=f.item,
        buyer=buyer, sellers=sellers, state=f.state.value, deal=f.outcome is not None and f.outcome.kind == OutcomeKind.DEAL,
        seller=terms.get("seller"), price_per_unit=price, lowest_floor=floor, buyer_max=buyer_max,
        deal_position=position, buyer_surplus_share=terms.get("buyer_surplus_share"), rounds=f.rounds,
        seller_messages=f.seller_messages,
        seller_violations=sum(n for agent, n in f.violations_by_agent.items() if agent != config.buyer.name),
        messages=f.messages, disclosures=f.disclosures, requests=f.model_messages + unusable,
        unusable_replies=unusable, completion_tokens=sum(tokens for tokens, _ in f.timed_usage),
        generation_s=round(sum(seconds for _, seconds in f.timed_usage), 4),
    )


def _per_100(rows: list[RunRow], num, den) -> stats.Estimate:
    e = stats.bootstrap_ratio([(num(r), den(r)) for r in rows])
    scale = lambda v: None if v is None else 100 * v  # noqa: E731
    return stats.Estimate(scale(e.value), scale(e.low), scale(e.high), e.n)


# metric name → (values of one arm's rows, kind): "rate" booleans, "mean" numbers, "ratio" (num, den) per run
def _series(rows: list[RunRow]) -> dict[str, tuple[str, list]]:
    deals = [r for r in rows if r.deal]
    out: dict[str, tuple[str, list]] = {
        "deal_rate": ("rate", [r.deal for r in rows]),
        "mean_price": ("mean", [r.price_per_unit for r in deals]),
        "deal_position": ("mean", [r.deal_position for r in deals if r.deal_position is not None]),
        "buyer_surplus_share": ("mean", [r.buyer_surplus_share for r in deals if r.buyer_surplus_share is not None]),
        "rounds_to_close": ("mean", [float(r.rounds) for r in deals]),
        "violations_per_100_seller_messages": ("ratio", [(r.seller_violations, r.seller_messages) for r in rows]),
        "unusable_per_100_requests": ("ratio", [(r.unusable_replies, r.requests) for r in rows]),
    }
    if rows and all(r.disclosures is not None for r in rows):
        out["disclosures_per_100_messages"] = ("ratio", [(r.disclosures, r.messages) for r in rows])
    return out


def arm_report(arm: str, rows: list[RunRow], players: tuple[str, str] = ("", "")) -> ArmReport:
    """`players` (buyer, sellers labels) name who plays in an arm that has no counted run yet."""
    s = _series(rows)
    deals = s["deal_rate"][1]
    prices = s["mean_price"][1]
    gen = sum(r.generation_s for r in rows)
    disclosures = s.get("disclosures_per_100_messages")
    return ArmReport(
        arm=arm, buyer=rows[0].buyer if rows else players[0], sellers=rows[0].sellers if rows else players[1],
        runs=len(rows),
        deal_rate=Interval.of(stats.wilson(sum(deals), len(deals))),
        mean_price=Interval.of(stats.bootstrap_mean(prices)), median_price=stats.median(prices),
        deal_position=Interval.of(stats.bootstrap_mean(s["deal_position"][1])),
        buyer_surplus_share=Interval.of(stats.bootstrap_mean(s["buyer_surplus_share"][1])),
        rounds_to_close=Interval.of(stats.bootstrap_mean(s["rounds_to_close"][1])),
        violations_per_100_seller_messages=Interval.of(_per_100(rows, lambda r: r.seller_violations,
                                                                lambda r: r.seller_messages)),
        disclosures_per_100_messages=Interval.of(_per_100(rows, lambda r: r.disclosures, lambda r: r.messages))
        if disclosures else None,
        unusable_per_100_requests=Interval.of(_per_100(rows, lambda r: r.unusable_replies, lambda r: r.requests)),
        tokens_per_s=round(sum(r.completion_tokens for r in rows) / gen, 2) if gen else None,
    )


def differences(arm_a: str, rows_a: list[RunRow], arm_b: str, rows_b: list[RunRow]) -> list[Difference]:
    a, b = _series(rows_a), _series(rows_b)
    out = []
    for metric, (kind, values_a) in a.items():
        if metric not in b:
            continue
        values_b = b[metric][1]
        if kind == "rate":
            e, method = stats.newcombe(sum(values_a), len(values_a), sum(values_b), len(values_b)), "Newcombe hybrid score"
        elif kind == "mean":
            e, method = stats.bootstrap_difference(values_a, values_b), "percentile bootstrap of the means"
        else:
            e, method = stats.bootstrap_ratio_difference(values_a, values_b), "percentile bootstrap, runs resampled"
            scale = lambda v: None if v is None else 100 * v  # noqa: E731
            e = stats.Estimate(scale(e.value), scale(e.low), scale(e.high), e.n)
        out.append(Difference(metric=metric, arm_a=arm_a, arm_b=arm_b, value=e.value, low=e.low, high=e.high,
                              clear=e.clear, method=method))
    return out


def cross_play(rows: list[RunRow]) -> list[CrossPlayCell]:
    """The buyer × sellers matrix as cells, sorted by buyer then sellers; a pairing no run played has no cell."""
    cells: dict[tuple[str, str], list[RunRow]] = defaultdict(list)
    for r in rows:
        cells[(r.buyer, r.sellers)].append(r)
    out = []
    for (buyer, sellers), group in sorted(cells.items()):
        deals = [r for r in group if r.deal]
        prices = [r.price_per_unit for r in deals if r.price_per_unit is not None]
        positions = [r.deal_position for r in deals if r.deal_position is not None]
        out.append(CrossPlayCell(buyer=buyer, sellers=sellers, runs=len(group), deals=len(deals),
                                 deal_rate=Interval.of(stats.wilson(len(deals), len(group))),
                                 mean_price=stats.mean(prices) if prices else None,
                                 deal_position=Interval.of(stats.bootstrap_mean(positions))))
    return out


def cross_play_axes(cells: list[CrossPlayCell]) -> tuple[list[str], list[str]]:
    """The matrix's rows (buyers) and columns (sellers), each sorted."""
    return sorted({c.buyer for c in cells}), sorted({c.sellers for c in cells})


def experiment_report(store: Store, experiment_id: int) -> ExperimentReport:
    experiment = load_experiment(store, experiment_id)
    rows = run_rows(store, experiment)
    by_arm = {arm: [r for r in rows if r.arm == arm] for arm in experiment.arms}
    players = {arm: who_plays(store.get_session(session_id).config) for arm, session_id in experiment.arms.items()}
    arms = [arm_report(arm, arm_rows, players[arm]) for arm, arm_rows in by_arm.items()]
    diffs = [d for (x, rx), (y, ry) in combinations(by_arm.items(), 2) for d in differences(x, rx, y, ry)]
    return ExperimentReport(
        experiment_id=experiment.id, name=experiment.name, created_at=experiment.created_at,
        scenario=experiment.scenario.name, repetitions=experiment.spec.get("repetitions", 0),
        scheduled=len(experiment.runs), done=experiment.done, arms=arms, differences=diffs,
        cross_play=cross_play(rows), runs=rows)
