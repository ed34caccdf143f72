"""Runs an experiment's unfinished runs on the session runtime, interleaved, under one request budget.

Every run is an ordinary stored run of its arm's session. A run counts once it ended by itself (deal or no
deal) and was stored; anything else (stopped, crashed, server error) is run again on the next continue, so a
stop, a crash or an outage never loses a finished run nor counts one twice.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from ..domain import RunState, SessionConfig, load_scenario
from ..engine import ErrorRaised
from ..engine.limiter import FairLimiter
from ..llm import LLMClient
from ..runtime import ClientFactory, SessionRuntime
from ..storage import StorageError, Store, StoredSession
from ..storage import experiments as rows
from ..storage.async_store import AsyncStore
from ..runtime.quick_run import QuickRun
from .schedule import ordered_config, plan_runs
from .spec import ExperimentError, ExperimentSpec, arm_config

log = logging.getLogger(__name__)
COUNTED_STATES = (RunState.DECIDED, RunState.NO_DEAL)


class _Borrowed:
    """A client lent to one run's runtime: closing it is left to the experiment, which shares it among runs (one
    connection pool, and no TLS set-up per run)."""

    def __init__(self, client) -> None:
        self._client = client

    def __getattr__(self, name: str):
        return getattr(self._client, name)

    async def aclose(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Progress:
    """How far the experiment is: told after every run that ends, and once at the start."""

    experiment_id: int
    done: int
    total: int
    elapsed_s: float
    eta_s: float | None  # None until a run has finished in this sitting
    last: str = ""  # what the last run did, in words


@dataclass(frozen=True, slots=True)
class Result:
    status: str  # finished | stopped | paused
    done: int
    total: int
    message: str = ""


def create_experiment(store: Store, spec: ExperimentSpec) -> int:
    """Resolve the scenario, build each arm's configuration (validated like any scenario), plan and store."""
    if spec.scenario is not None:
        base = load_scenario(spec.scenario)
    else:
        from ..storage import NotFound

        assert spec.session_id is not None  # the spec requires a scenario or a session id
        try:
            base = store.get_session(spec.session_id).config
        except NotFound:
            raise ExperimentError(spec.name, [f"session_id: there is no stored session {spec.session_id}"]) from None
    arms = {arm.name: arm_config(base, arm) for arm in spec.arms}
    from ..domain import plan_rooms

    if not plan_rooms(base).rooms:
        raise ExperimentError(spec.name, ["the scenario has no item any seller can supply: nothing to negotiate"])
    plan = plan_runs(list(arms), spec.repetitions, [s.name for s in base.sellers], spec.seed)
    return rows.create_experiment(store, spec.name, spec.model_dump(mode="json"), base, arms, plan)


class ExperimentRunner:
    """Negotiates the unfinished runs of one stored experiment. Create and run it on the event loop."""

    def __init__(self, store: Store, experiment_id: int, make_client: ClientFactory, *,
                 on_progress: Callable[[Progress], None] | None = None, parallel_runs: int | None = None) -> None:
        self.store = store
        self.experiment = rows.load_experiment(store, experiment_id)
        self.make_client = make_client
        self.on_progress = on_progress or (lambda progress: None)
        self.parallel_runs = parallel_runs or self.experiment.spec.get("parallel_runs", 1)
        # One request budget for the whole experiment: every run's rooms share this limiter.
        self.limiter = FairLimiter(self.experiment.scenario.llm.concurrency)
        self._arms: dict[int, StoredSession] = {}  # read once per arm, not once per run
        self._stopping = False
        self._pause_message = ""
        self._started = 0.0
        self._finished_now = 0
        self._runtimes: set[SessionRuntime] = set()
        self._quick: set[QuickRun] = set()
        self._clients: dict[tuple, LLMClient] = {}

    @property
    def total(self) -> int:
        return len(self.experiment.runs)

    @property
    def done(self) -> int:
        return self.experiment.done

    def stop(self) -> None:
        """Stop: running runs are cancelled (and run again on continue); no new run starts."""
        self._stopping = True
        for runtime in list(self._runtimes):
            for room in runtime.running_rooms:
                runtime.stop(room)
        for quick in list(self._quick):
            quick.stop()

    def _lend_client(self, llm) -> _Borrowed:
        key = (llm.base_url, llm.api_key, llm.read_timeout_s, llm.reply_timeout_s)  # all a client is built from
        if key not in self._clients:
            self._clients[key] = self.make_client(llm)
        return _Borrowed(self._clients[key])

    async def run(self) -> Result:
        try:
            return await self._run()
        finally:
            for client in self._clients.values():
                await client.aclose()
            self._clients.clear()

    async def _run(self) -> Result:
        self._started = time.monotonic()
        self._tell("")
        if self.done == self.total:
            return Result("finished", self.done, self.total)
        problem = await self._probe()
        if problem:
            return Result("paused", self.done, self.total, self._paused(problem))
        queue = [r for r in self.experiment.runs if not r.done]  # schedule order
        workers = [asyncio.create_task(self._work(queue)) for _ in range(min(self.parallel_runs, len(queue)))]
        try:
            await asyncio.gather(*workers)
        except asyncio.CancelledError:
            self.stop()
            await asyncio.gather(*workers, return_exceptions=True)
            raise
        if self._pause_message:
            return Result("paused", self.done, self.total, self._pause_message)
        if self._stopping:
            return Result("stopped", self.done, self.total)
        return Result("finished", self.done, self.total)

    async def _probe(self) -> str:
        """A clear message when the server the runs need does not answer (strategy-only runs need none)."""
        config = self.experiment.scenario
        arms = [self._arm_config(session_id) for session_id in self.experiment.arms.values()]
        if not any(getattr(c, "needs_server", True) for c in arms):
            return ""
        client = self.make_client(config.llm)
        try:
            status = await client.status()
        finally:
            await client.aclose()
        if status.reachable:
            return ""
        reason = (status.error or config.llm.base_url).rstrip(".")
        return f"the model server does not answer ({reason})."

    async def _work(self, queue: list[rows.ExperimentRun]) -> None:
        while queue and not self._stopping and not self._pause_message:
            run = queue.pop(0)
            try:
                problem = await self._negotiate(run)
            except Exception as exc:  # noqa: BLE001 - one broken run must not lose the others
                log.exception("experiment %s: run %s failed", self.experiment.id, run.position)
                problem = f"run {run.position + 1} failed unexpectedly: {exc!r}"
            if problem and not self._stopping:
                self._pause_message = self._paused(problem)
            self._tell(f"{run.arm} #{run.repetition}: {'done' if run.done else problem or 'stopped'}")

    async def _negotiate(self, run: rows.ExperimentRun) -> str:
        """One repetition of one arm; returns '' when it counts, else what went wrong."""
        config = ordered_config(self._arm_config(run.session_id), run.seller_order)
        if not config.needs_server:
            return await self._negotiate_quickly(run, config)
        # A borrowed client behaves as the runtime's own, except that closing it leaves the shared one open.
        runtime = SessionRuntime(self.store, run.session_id, cast(ClientFactory, self._lend_client), config=config,
                                 stored=self._arm(run.session_id))
        errors: list[str] = []
        runtime.subscribe(lambda item: errors.append(item.message)
                          if isinstance(item, ErrorRaised) and item.fatal else None, tokens=False)
        runtime.engine.limiter = self.limiter
        for room in runtime.engine.rooms.values():
            room.limiter = self.limiter
        self._runtimes.add(runtime)
        try:
            tasks = [runtime.start(key, seed=run.seed) for key in runtime.engine.rooms]
            run.run_ids = [room.run_id for room in runtime.engine.rooms.values() if room.run_id is not None]
            await asyncio.to_thread(rows.start_attempt, self.store, run.id, run.run_ids)
            states = await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self._runtimes.discard(runtime)
            stored = await runtime.close(timeout=30.0)
        if not stored:
            return "some events could not be stored."
        if all(state in COUNTED_STATES for state in states):
            return await self._count(run)
        if self._stopping:
            return ""
        if all(state in COUNTED_STATES or state == RunState.ERROR for state in states):
            # An outage is not a result: pause and run it again later. A model that fails while the server
            # answers is one (its unusable replies are counted), so that run counts.
            outage = await self._probe()
            return outage or await self._count(run)
        return errors[-1] if errors else f"a run ended as {', '.join(str(getattr(s, 'value', s)) for s in states)}."

    async def _negotiate_quickly(self, run: rows.ExperimentRun, config: SessionConfig) -> str:
        """A strategy-only repetition: negotiated in memory and stored with its tag in one transaction, so a
        crash leaves it either complete or absent (and run again), never half-counted."""
        quick = QuickRun(config, cast(LLMClient, self._lend_client(config.llm)), self.limiter)
        self._quick.add(quick)
        try:
            states = await quick.negotiate(run.seed)
        finally:
            self._quick.discard(quick)
        # As for any run: ended by itself, or failed with no server involved (a result); never when stopped.
        counted = all(state in COUNTED_STATES for state in states) or (
            not self._stopping and all(state in COUNTED_STATES or state == RunState.ERROR for state in states))
        try:
            # On the store's one thread, in order: attempts never wait on each other's write lock.
            await AsyncStore.of(self.store).run(rows.store_attempt, run.id, run.session_id, config, quick.events,
                                                quick.run_ids, counted)
        except StorageError as exc:
            return f"the database cannot store the runs ({exc.user_message.rstrip('.')})."
        run.run_ids = quick.run_ids
        if counted:
            run.done = True
            self._finished_now += 1
            return ""
        if self._stopping:
            return ""
        return quick.errors[-1] if quick.errors else f"a run ended as {', '.join(str(getattr(s, 'value', s)) for s in states)}."

    async def _count(self, run: rows.ExperimentRun) -> str:
        await asyncio.to_thread(rows.finish, self.store, run.id)
        run.done = True
        self._finished_now += 1
        return ""

    def _paused(self, problem: str) -> str:
        return (f"Paused: {problem} {self.done} of {self.total} runs are done and kept; start the server (or fix "
                "the problem) and continue the experiment to run the rest.")

    def _arm(self, session_id: int) -> StoredSession:
        if session_id not in self._arms:
            self._arms[session_id] = self.store.get_session(session_id)
        return self._arms[session_id]

    def _arm_config(self, session_id: int) -> SessionConfig:
        return self._arm(session_id).config

    def _tell(self, last: str) -> None:
        elapsed = time.monotonic() - self._started
        remaining = self.total - self.done
        eta = elapsed / self._finished_now * remaining if self._finished_now else None
        self.on_progress(Progress(self.experiment.id, self.done, self.total, elapsed, eta, last))
