"""Experiment rows: an experiment, its arms (each a stored session) and its scheduled runs with their tags."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update

from ..domain import SessionConfig
from ..engine.events import Event
from . import sessions as session_rows
from .event_rows import EventRows
from .schema import experiment_arms, experiment_runs, experiments
from .store import NotFound, Store


@dataclass(frozen=True, slots=True)
class PlannedRun:
    """One repetition of one arm, in schedule order."""

    position: int
    arm: str
    repetition: int
    seed: int
    seller_order: list[str]


@dataclass(slots=True)
class ExperimentRun:
    id: int
    position: int
    arm: str
    session_id: int
    repetition: int
    seed: int
    seller_order: list[str]
    run_ids: list[str]
    attempts: int
    done: bool


@dataclass(slots=True)
class StoredExperiment:
    id: int
    name: str
    created_at: datetime
    spec: dict
    scenario: SessionConfig
    arms: dict[str, int]  # arm name → its session id, in arm order
    runs: list[ExperimentRun] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(r.done for r in self.runs)


@dataclass(frozen=True, slots=True)
class ExperimentSummary:
    id: int
    name: str
    created_at: datetime
    total: int
    done: int


def create_experiment(store: Store, name: str, spec: dict, scenario: SessionConfig,
                      arms: dict[str, SessionConfig], plan: list[PlannedRun]) -> int:
    """Store the experiment, one session per arm and every planned run, in one transaction."""
    with store.writing() as conn:
        experiment_id = conn.execute(insert(experiments).values(  # type: ignore[index]  # set for a single-row INSERT
            name=name, created_at=datetime.now(UTC), spec_json=json.dumps(spec, ensure_ascii=False),
            scenario_json=scenario.model_dump_json())).inserted_primary_key[0]
        arm_ids = {}
        for position, (arm, config) in enumerate(arms.items()):
            session_id = session_rows.insert_session(conn, config)
            arm_ids[arm] = conn.execute(insert(experiment_arms).values(  # type: ignore[index]  # as above
                experiment_id=experiment_id, position=position, name=arm, session_id=session_id,
            )).inserted_primary_key[0]
        if plan:
            conn.execute(insert(experiment_runs), [dict(
                experiment_id=experiment_id, position=p.position, arm_id=arm_ids[p.arm], repetition=p.repetition,
                seed=p.seed, seller_order=json.dumps(p.seller_order, ensure_ascii=False), run_ids="[]",
                attempts=0, done=False) for p in plan])
    return experiment_id


def load_experiment(store: Store, experiment_id: int) -> StoredExperiment:
    with store.reading() as conn:
        row = conn.execute(select(experiments).where(experiments.c.id == experiment_id)).first()
        if row is None:
            raise NotFound(experiment_id)
        arms = conn.execute(select(experiment_arms).where(experiment_arms.c.experiment_id == experiment_id)
                            .order_by(experiment_arms.c.position)).all()
        names = {a.id: a.name for a in arms}
        sessions = {a.id: a.session_id for a in arms}
        runs = conn.execute(select(experiment_runs).where(experiment_runs.c.experiment_id == experiment_id)
                            .order_by(experiment_runs.c.position)).all()
    return StoredExperiment(
        id=row.id, name=row.name, created_at=row.created_at, spec=json.loads(row.spec_json),
        scenario=SessionConfig.model_validate_json(row.scenario_json),
        arms={a.name: a.session_id for a in arms},
        runs=[ExperimentRun(id=r.id, position=r.position, arm=names[r.arm_id], session_id=sessions[r.arm_id],
                            repetition=r.repetition, seed=r.seed, seller_order=json.loads(r.seller_order),
                            run_ids=json.loads(r.run_ids), attempts=r.attempts, done=bool(r.done)) for r in runs])


def list_experiments(store: Store) -> list[ExperimentSummary]:
    """Newest first."""
    with store.reading() as conn:
        rows = conn.execute(
            select(experiments.c.id, experiments.c.name, experiments.c.created_at,
                   func.count(experiment_runs.c.id), func.count(experiment_runs.c.id).filter(experiment_runs.c.done.is_(True)))
            .select_from(experiments.outerjoin(experiment_runs))
            .group_by(experiments.c.id).order_by(experiments.c.id.desc())).all()
    return [ExperimentSummary(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def start_attempt(store: Store, run_id: int, run_ids: list[str]) -> None:
    """A scheduled run starts (again): its runs of this attempt replace any left by an unfinished one."""
    with store.writing() as conn:
        conn.execute(update(experiment_runs).where(experiment_runs.c.id == run_id).values(
            run_ids=json.dumps(run_ids), attempts=experiment_runs.c.attempts + 1, done=False))


def finish(store: Store, run_id: int) -> None:
    with store.writing() as conn:
        conn.execute(update(experiment_runs).where(experiment_runs.c.id == run_id).values(done=True))


def store_attempt(store: Store, run_id: int, session_id: int, config: SessionConfig, events: list[Event],
                  run_ids: list[str], counted: bool) -> None:
    """A whole attempt at once, for runs negotiated in memory (strategy-only): its runs with everything they said,
    and the scheduled run's tag (done when `counted`), in one transaction. A crash before the commit leaves no
    trace of the attempt, so the scheduled run is simply run again; after it, the attempt is complete."""
    with store.writing() as conn:
        EventRows(session_id, lambda: config).write(conn, events)
        conn.execute(update(experiment_runs).where(experiment_runs.c.id == run_id).values(
            run_ids=json.dumps(run_ids), attempts=experiment_runs.c.attempts + 1, done=counted))
