"""Headless negotiation behind the CLI: run a scenario or resume a run into the database. A negotiation is the
session runtime with a printer subscribed to it; the commands on what is stored live in stored_commands.py."""
from __future__ import annotations

import asyncio
import os
import signal
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from .domain import RESUMABLE_STATES, Decision, RunState, ScenarioError, SessionConfig, load_scenario, money
from .domain.errors import describe_validation_error
from .storage.errors import StorageError
from .storage.settings import resolve_db_path

if TYPE_CHECKING:  # imported where used: `run` asks the server before SQLAlchemy, the engine and the exporters load
    from .runtime import ClientFactory, SessionRuntime
    from .storage import RunRecord, Store

EXIT_OK, EXIT_RUN_FAILED, EXIT_BAD_INPUT, EXIT_SERVER, EXIT_STORAGE, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
EXIT_TERMINATED = 143  # stopped by SIGTERM (128 + 15), handled like Ctrl+C
CLOSE_TIMEOUT_S = 30.0  # how long a stopping command keeps retrying to store what is queued
Out = Callable[[str], None]


class OptionError(ValueError):
    """Command-line options the scenario cannot take (each problem a plain line)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def to_stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def to_stdout(text: str) -> None:
    print(text, flush=True)


def open_db(db: str | None, err: Out = to_stderr, *, read_only: bool = False) -> Store | None:
    """The start-up sequence every command runs (it also marks runs a crash left behind as interrupted).
    Commands that only read pass `read_only`: they never create, move or change the file."""
    from .runtime import open_store

    try:
        opened = open_store(resolve_db_path(db), read_only=read_only)
    except StorageError as exc:
        err(f"error: {exc.user_message}")
        return None
    if read_only:
        if opened.interrupted:
            err(f"note: {len(opened.interrupted)} run(s) left unfinished by a process that is gone are shown as "
                "interrupted; `negotiator resume RUN_ID` continues one")
        return opened.store
    if opened.recovered_from:
        err(f"warning: the database was damaged or not a database; it was moved to {opened.recovered_from} "
            "and a fresh one was created")
    if opened.interrupted:
        err(f"note: {len(opened.interrupted)} run(s) left unfinished by a process that is gone are now interrupted; "
            "`negotiator runs SESSION_ID` lists them, `negotiator resume RUN_ID` continues one")
    return opened.store


def event_line(event) -> str | None:
    """One console line per completed message, offer, violation, decision and problem (deltas are skipped)."""
    from .engine import (
        DecisionMade, ErrorRaised, MessageCompleted, OfferMade, RunFinished, SellerSilent, ViolationRecorded, Waiting,
    )

    room = event.room
    if isinstance(event, MessageCompleted):
        m = event.message
        mark = " [interrupted]" if m.interrupted else ""
        return f"[{room} · r{m.round}] {m.sender}: {m.text}{mark}"
    if isinstance(event, OfferMade):
        o = event.offer
        kind = "binding" if o.binding else "NOT binding"
        return f"[{room} · r{o.round}] offer: {o.seller} {o.price_per_unit:,.2f} × {o.quantity} ({kind})"
    if isinstance(event, ViolationRecorded):
        v = event.violation
        return f"[{room} · r{v.round}] violation ({v.kind.value}) by {v.agent}: {v.attempted}; limit: {v.limit}"
    if isinstance(event, DecisionMade) and event.decision != Decision.CONTINUE:
        who = f" {event.seller}" if event.seller else ""
        return f"[{room} · r{event.round}] decision: {event.decision}{who} (by {event.by}) {event.reason}".rstrip()
    if isinstance(event, SellerSilent):
        return f"[{room} · r{event.round}] {event.seller} did not answer: {event.reason}"
    if isinstance(event, Waiting):
        return f"[{room}] waiting for the server ({event.seconds} s without a word from {event.agent})…"
    if isinstance(event, ErrorRaised):
        return f"[{room}] {'error' if event.fatal else 'problem'}: {event.message}"
    if isinstance(event, RunFinished):
        return f"[{room}] finished: {event.state.value} after {event.rounds} rounds"
    return None


def outcome_table(records: list[RunRecord]) -> list[str]:
    header = ("item", "outcome", "seller", "price/unit", "qty", "total", "rounds")
    rows = [header]
    for r in records:
        o = r.outcome
        price = quantity = total = ""
        if o is not None and o.kind.value == "deal" and o.price_per_unit is not None and o.total is not None:
            price, quantity, total = money(o.price_per_unit), str(o.quantity), money(o.total)
        rows.append((
            r.item, o.kind.value if o else r.state.value, (o.seller or "") if o else "",
            price, quantity, total, str(r.rounds),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def printer(out: Out, err: Out):
    """A runtime listener that prints one line per event worth reading, and storage trouble to stderr."""
    from .engine import Event
    from .runtime import RoomFailed, StorageFailed, StorageRecovered

    def show(item) -> None:
        if isinstance(item, Event):
            line = event_line(item)
            if line:
                out(line)
        elif isinstance(item, StorageFailed) and item.lasting:
            err(f"storage error: {item.message} This cannot clear by waiting: the runs end in the error state.")
        elif isinstance(item, StorageFailed):
            err(f"storage error: {item.message} Rooms are paused until the database can be written.")
        elif isinstance(item, StorageRecovered):
            err("storage: writing works again; rooms continue.")
        elif isinstance(item, RoomFailed):
            err(f"[{item.room}] error: {item.message}")

    return show


def _clients(api_key: str | None) -> ClientFactory:
    from .runtime.clients import client_for

    return lambda llm: client_for(llm, api_key=api_key)


async def _server_problem(config: SessionConfig, api_key: str | None) -> str | None:
    """Why the server cannot be used, or None when it answers (or nothing will ever ask it)."""
    if not config.needs_server:  # every agent is a strategy: nothing will ever ask the server
        return None
    async with _clients(api_key)(config.llm) as client:
        status = await client.status()
    if status.reachable:
        return None
    return status.error or f"LM Studio is not running at {config.llm.base_url}"


async def _probe(config: SessionConfig, api_key: str | None, err: Out) -> bool:
    """Is the server there? Asked before anything is stored, so an unreachable server leaves no empty session."""
    problem = await _server_problem(config, api_key)
    if problem is not None:
        err(f"error: {problem}")
    return problem is None


class Stopper:
    """SIGTERM handled like Ctrl+C: the negotiation is cancelled, partial messages are stored, runs end stopped."""

    def __init__(self) -> None:
        self.terminated = False
        self._loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        try:
            self._loop.add_signal_handler(signal.SIGTERM, self._terminate, task)
            self.installed = True
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
            self.installed = False

    def _terminate(self, task: asyncio.Task | None) -> None:
        self.terminated = True
        if task is not None:
            task.cancel()

    def remove(self) -> None:
        if self.installed:
            self._loop.remove_signal_handler(signal.SIGTERM)

    @property
    def exit_code(self) -> int:
        return EXIT_TERMINATED if self.terminated else EXIT_INTERRUPTED


async def _wait(runtime: SessionRuntime, tasks: list[asyncio.Task]) -> bool:
    """True if every task ended by itself; False if Ctrl+C or SIGTERM stopped them (partial messages are stored)."""
    try:
        await asyncio.gather(*tasks)
        return True
    except asyncio.CancelledError:
        await runtime.stop_all()
        return False


async def _close(runtime: SessionRuntime, timeout: float) -> str | None:
    """Close the runtime; returns why not everything could be stored, or None when everything was."""
    if await runtime.close(timeout=timeout):
        return None
    failing = runtime.recorder.failing
    return failing.user_message if failing else f"writing did not finish within {timeout:g} s"


def _apply_overrides(config: SessionConfig, base_url: str | None, model: str | None, rounds: int | None) -> SessionConfig:
    """The scenario with the command line's options; raises OptionError with plain, located messages."""
    llm = config.llm.model_dump()
    llm.update({k: v for k, v in (("base_url", base_url), ("model", model), ("max_rounds", rounds)) if v is not None})
    data = {**config.model_dump(), "llm": llm}
    try:
        return SessionConfig.model_validate(data)
    except ValidationError as exc:
        raise OptionError(describe_validation_error(exc, data)) from None


def print_problems(err: Out, what: str, errors: list[str], after: str = "") -> None:
    """One clear line first, then every problem with its location."""
    err(f"error: {what} ({len(errors)} problem(s)){after}:")
    for line in errors:
        err(f"  - {line}")


def special_file(path: str) -> bool:
    """A pipe, device or socket: reading one could wait forever, so input files must be regular files."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode) and not stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False  # missing or unreadable: the reader reports it with its location


def run_command(scenario: str, *, db: str | None = None, base_url: str | None = None, model: str | None = None,
                rounds: int | None = None, export_dir: str | None = None, api_key: str | None = None,
                out: Out = to_stdout, err: Out = to_stderr) -> int:
    if special_file(scenario):
        err(f"error: {scenario} is not a regular file (a pipe, device or socket); give a scenario file")
        return EXIT_BAD_INPUT
    try:
        config = _apply_overrides(load_scenario(scenario), base_url, model, rounds)
    except ScenarioError as exc:
        print_problems(err, f"{exc.source} is not a valid scenario", exc.errors)
        return EXIT_BAD_INPUT
    except OptionError as exc:
        print_problems(err, "the command-line options do not fit the scenario", exc.errors)
        return EXIT_BAD_INPUT
    return asyncio.run(_probe_then_run(db, config, api_key, export_dir, out, err))


async def _probe_then_run(db: str | None, config: SessionConfig, api_key, export_dir, out: Out, err: Out) -> int:
    """The server is asked first, before the database (and SQLAlchemy, most of a second) is loaded: the first
    request goes out at once. The database is then opened before the answer is acted on, so a database problem
    is reported first and an unreachable server still leaves no empty session."""
    problem = await _server_problem(config, api_key)
    store = open_db(db, err)  # nothing else runs on this loop yet: waiting here delays no one
    if store is None:
        return EXIT_STORAGE
    try:
        if problem is not None:
            err(f"error: {problem}")
            return EXIT_SERVER
        return await _run(store, config, api_key, export_dir, out, err)
    except StorageError as exc:
        err(f"error: {exc.user_message}")
        return EXIT_STORAGE
    finally:
        store.close()


async def _run(store: Store, config: SessionConfig, api_key, export_dir, out: Out, err: Out) -> int:
    """Store the session and negotiate every room (the server has answered already)."""
    from .runtime import SessionRuntime

    summary = store.create_session(config)
    runtime = SessionRuntime(store, summary.id, _clients(api_key), config=config)  # keeps URL credentials the store leaves out
    runtime.subscribe(printer(out, err), tokens=False)
    stopper = Stopper()
    try:
        out(f"session {summary.id}: {config.name} — {len(runtime.engine.rooms)} room(s)")
        for skipped in runtime.engine.plan.skipped:
            out(f"skipped: {skipped.item.name} — {skipped.reason.value}: {skipped.detail}")
        tasks = runtime.start_all()
        for key, room in runtime.engine.rooms.items():
            out(f"run {room.run_id}: {key} · {room.plan.item.name}")
        finished = await _wait(runtime, tasks)
    finally:
        stopper.remove()
        unstored = await _close(runtime, CLOSE_TIMEOUT_S)
    run_ids = [r.run_id for r in runtime.engine.rooms.values()]
    if unstored is not None:
        return _not_stored(unstored, finished, run_ids, err)
    return _report(store, summary.id, run_ids, finished, export_dir, out, err, stopper.exit_code)


def _not_stored(reason: str, finished: bool, run_ids: list[str | None], err: Out) -> int:
    """The one message when the database could not take everything: what is stored is true, the rest is not
    there, so no outcome table (it would show states the database never received)."""
    ids = ", ".join(r for r in run_ids if r) or "-"
    err(f"error: {'' if finished else 'stopped; '}not everything could be stored: {reason} What was stored before "
        f"is kept; once the database can be written, `negotiator resume RUN_ID` continues a run (runs: {ids}).")
    return EXIT_STORAGE


def _report(store: Store, session_id: int, run_ids: list[str | None], finished: bool, export_dir, out, err,
            stopped_code: int = EXIT_INTERRUPTED) -> int:
    records = [store.load_run(run_id) for run_id in run_ids if run_id]
    out("")
    for line in outcome_table(records):
        out(line)
    if export_dir:
        paths = export_session_files(store, session_id, Path(export_dir), [r.run_id for r in records])
        out(f"exported {len(paths)} file(s) to {export_dir}")
    if not finished:
        err("stopped: partial messages are stored; resume with `negotiator resume RUN_ID`")
        return stopped_code
    ok = all(r.state in (RunState.DECIDED, RunState.NO_DEAL) for r in records)
    return EXIT_OK if ok else EXIT_RUN_FAILED


def export_session_files(store: Store, session_id: int, directory: Path, run_ids: list[str]) -> list[Path]:
    from .export import run_log, run_markdown, session_log, write_json, write_text

    paths = [write_json(directory / f"session-{session_id}.json", session_log(store, session_id))]
    for run_id in run_ids:
        paths.append(write_json(directory / f"run-{run_id}.json", run_log(store, run_id)))
        paths.append(write_text(directory / f"run-{run_id}.md", run_markdown(store, run_id)))
    return paths


def resume_command(run_id: str, *, db: str | None = None, base_url: str | None = None, model: str | None = None,
                   api_key: str | None = None, export_dir: str | None = None, out: Out = to_stdout,
                   err: Out = to_stderr) -> int:
    from .storage import RunOwnedElsewhere
    from .storage.store import NotFound

    store = open_db(db, err)
    if store is None:
        return EXIT_STORAGE
    try:
        try:
            record = store.load_run(run_id)
        except NotFound:
            err(f"error: no run {run_id} in {store.path}")
            return EXIT_BAD_INPUT
        if not record.state.finished:  # still unfinished after the start-up sweep: its owner is alive
            err(f"error: {RunOwnedElsewhere(run_id, record.owner_id).user_message}")
            return EXIT_BAD_INPUT
        if record.state not in RESUMABLE_STATES:
            err(f"error: run {run_id} is {record.state.value}; only an interrupted, stopped or failed run can be resumed")
            return EXIT_BAD_INPUT
        try:
            config = _apply_overrides(record.config, base_url, model, None)
        except OptionError as exc:
            print_problems(err, "the command-line options do not fit the run", exc.errors)
            return EXIT_BAD_INPUT
        return asyncio.run(_resume(store, record, config, api_key, export_dir, out, err))
    except StorageError as exc:
        err(f"error: {exc.user_message}")
        return EXIT_STORAGE
    finally:
        store.close()


async def _resume(store: Store, record: RunRecord, config: SessionConfig, api_key, export_dir, out, err) -> int:
    from .engine import InputError
    from .runtime import SessionRuntime

    if not await _probe(config, api_key, err):
        return EXIT_SERVER
    runtime = SessionRuntime(store, record.session_id, _clients(api_key), config=config, max_rounds=record.max_rounds,
                             recorded_model=record.model)
    runtime.subscribe(printer(out, err), tokens=False)
    stopper = Stopper()
    try:
        if record.room_key not in runtime.engine.rooms:
            err(f"error: room {record.room_key} no longer exists in this run's configuration")
            return EXIT_BAD_INPUT
        try:
            task = runtime.resume_run(record.run_id)  # claims the run: refused if another process took it
        except InputError as exc:
            err(f"error: {exc}")
            return EXIT_BAD_INPUT
        out(f"resuming run {record.run_id} in {record.room_key} from round {record.rounds} "
            f"({len(record.messages)} stored messages)")
        finished = await _wait(runtime, [task])
    finally:
        stopper.remove()
        unstored = await _close(runtime, CLOSE_TIMEOUT_S)
    if unstored is not None:
        return _not_stored(unstored, finished, [record.run_id], err)
    return _report(store, record.session_id, [record.run_id], finished, export_dir, out, err, stopper.exit_code)
