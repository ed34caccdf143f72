"""Headless commands on what is stored: list sessions and runs, export, import, and the AI debrief."""
from __future__ import annotations

import asyncio

from .domain import RESUMABLE_STATES, RunState, money
from .export import (
    DebriefError, ImportError_, import_session, session_log, session_markdown, write_debriefs, write_json, write_text,
)
from .headless import (
    EXIT_BAD_INPUT, EXIT_OK, EXIT_RUN_FAILED, EXIT_SERVER, EXIT_STORAGE, Out, open_db, print_problems, special_file, to_stderr,
    to_stdout,
)
from .runtime import client_for
from .storage import Debrief, RunSummary, StorageError
from .storage.owners import Owner
from .storage.store import NotFound


def state_summary(counts: dict[RunState, int]) -> str:
    """'2 decided, 1 interrupted': the states of a session's runs, in the order RunState lists them."""
    return ", ".join(f"{counts[s]} {s.value.replace('_', ' ')}" for s in RunState if counts.get(s)) or "-"


def sessions_command(*, db: str | None = None, out: Out = to_stdout, err: Out = to_stderr) -> int:
    store = open_db(db, err, read_only=True)
    if store is None:
        return EXIT_STORAGE
    with store:
        sessions = store.list_sessions()
        counts = store.run_state_counts()
    if not sessions:
        out("no sessions yet")
        return EXIT_OK
    states = {s.id: state_summary(counts.get(s.id, {})) for s in sessions}
    width = max(len("run states"), *(len(text) for text in states.values()))
    # An experiment stores each arm as a session: say which, so they are not taken for copies of the scenario.
    arms = {s.id: f"experiment {s.experiment_id} · arm {s.arm}" if s.arm is not None else "-" for s in sessions}
    arm_width = max(len("experiment"), *(len(text) for text in arms.values()))
    out(f"{'id':>4}  {'items':>5}  {'sellers':>7}  {'runs':>4}  {'run states':<{width}}  {'last activity':<19}  "
        f"{'experiment':<{arm_width}}  name")
    for s in sessions:
        out(f"{s.id:>4}  {s.item_count:>5}  {s.seller_count:>7}  {s.run_count:>4}  {states[s.id]:<{width}}  "
            f"{s.last_activity.astimezone():%Y-%m-%d %H:%M:%S}  {arms[s.id]:<{arm_width}}  {s.name}")
    return EXIT_OK


def outcome_text(run: RunSummary) -> str:
    o = run.outcome
    if o is None:
        return ""
    if o.kind.value == "deal":
        price = money(o.price_per_unit) if o.price_per_unit is not None else "?"
        return f"deal: {o.seller} {price} × {o.quantity}"
    return f"no deal: {o.reason}" if o.reason else "no deal"


def runs_command(session_id: int, *, db: str | None = None, out: Out = to_stdout, err: Out = to_stderr) -> int:
    """A session's runs, newest first: the ids `resume` takes, and which of them can be resumed."""
    store = open_db(db, err, read_only=True)
    if store is None:
        return EXIT_STORAGE
    with store:
        try:
            name = store.session_summary(session_id).name
        except NotFound:
            err(f"error: no session {session_id} in {store.path}; `negotiator sessions` lists them")
            return EXIT_BAD_INPUT
        runs = store.list_runs(session_id)
    out(f"session {session_id}: {name} — {len(runs)} run(s)")
    if not runs:
        return EXIT_OK
    rows = [("id", "room", "item", "state", "rounds", "outcome")]
    for r in runs:
        state = r.state.value
        if r.state in RESUMABLE_STATES:
            state += " (resumable)"
        elif not r.state.finished:
            owner = Owner.parse(r.owner_id)
            state += f" (by {owner.describe()})" if owner else ""
        rows.append((r.run_id, r.room_key, r.item, state, str(r.rounds), outcome_text(r)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        out("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return EXIT_OK


def export_command(session_id: int, out_path: str, *, fmt: str = "json", db: str | None = None,
                   out: Out = to_stdout, err: Out = to_stderr) -> int:
    store = open_db(db, err, read_only=True)
    if store is None:
        return EXIT_STORAGE
    with store:
        try:
            if fmt == "md":
                write_text(out_path, session_markdown(store, session_id))
            else:
                write_json(out_path, session_log(store, session_id))
        except NotFound:
            err(f"error: no session {session_id} in {store.path}")
            return EXIT_BAD_INPUT
        except OSError as exc:
            err(f"error: cannot write {out_path}: {exc.strerror or exc}")
            return EXIT_STORAGE
    if out_path != "-":  # '-' is standard output: the log itself is the output
        out(f"wrote {out_path}")
    return EXIT_OK


def import_command(path: str, *, db: str | None = None, out: Out = to_stdout, err: Out = to_stderr) -> int:
    if special_file(path):
        err(f"error: {path} is not a regular file (a pipe, device or socket); give a JSON log file")
        return EXIT_BAD_INPUT
    store = open_db(db, err)
    if store is None:
        return EXIT_STORAGE
    with store:
        try:
            summary = import_session(store, path)
        except ImportError_ as exc:
            print_problems(err, f"{exc.source} cannot be imported", exc.errors, "; nothing was written")
            return EXIT_BAD_INPUT
        except StorageError as exc:
            err(f"error: {exc.user_message}")
            return EXIT_STORAGE
    out(f"imported session {summary.id}: {summary.name} ({summary.run_count} run(s))")
    return EXIT_OK


def debrief_lines(debriefs: list[Debrief]) -> list[str]:
    lines: list[str] = []
    for d in debriefs:
        lines += ["", "Session" if d.is_session else f"{d.item} ({d.room_key}, run {d.run_id})", d.text]
        if d.unknown_citations:
            lines.append(f"(cites messages that do not exist in that run: {', '.join(d.unknown_citations)})")
    return lines


def debrief_command(session_id: int, *, db: str | None = None, base_url: str | None = None, model: str | None = None,
                    api_key: str | None = None, out: Out = to_stdout, err: Out = to_stderr) -> int:
    """Write the AI debrief of a stored session with its model server, store it (replacing any), print it."""
    store = open_db(db, err)
    if store is None:
        return EXIT_STORAGE
    with store:
        try:
            llm = store.get_session(session_id).config.llm
        except NotFound:
            err(f"error: no session {session_id} in {store.path}")
            return EXIT_BAD_INPUT

        async def write() -> list[Debrief]:
            async with client_for(llm, base_url=base_url, api_key=api_key) as client:
                return await write_debriefs(store, session_id, client, model=model,
                                            on_progress=lambda text: err(text))

        try:
            debriefs = asyncio.run(write())
        except DebriefError as exc:
            err(f"error: {exc.user_message}")
            return {"no_runs": EXIT_BAD_INPUT, "server": EXIT_SERVER}.get(exc.reason, EXIT_RUN_FAILED)
        except StorageError as exc:
            err(f"error: {exc.user_message}")
            return EXIT_STORAGE
        name = store.get_session(session_id).name
    out(f"AI debrief of session {session_id}: {name} (model {debriefs[0].model}; stored)")
    for line in debrief_lines(debriefs):
        out(line)
    return EXIT_OK
