"""Importing a session from its JSON log: validate everything first, then write it all in one transaction."""
from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..domain import RunState
from ..storage import Debrief, SessionSummary, Store, StorageError
from ..storage import debriefs as debrief_rows
from ..storage import runs as run_rows
from ..storage import sessions as session_rows
from ..domain.errors import describe_problem
from ..domain.scenario import parse_json
from ..domain.names import clip
from .documents import READABLE_LOG_VERSIONS, RunDoc, SessionLog
from .import_checks import session_problems


class ImportError_(ValueError):
    """An import file that cannot be used; `errors` lists every problem with its location. Nothing was written."""

    def __init__(self, source: str, errors: list[str]) -> None:
        self.source = source
        self.errors = errors
        super().__init__(f"{source} cannot be imported:\n" + "\n".join(f"- {e}" for e in errors))


def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def parse_session_log(data: Any, source: str = "import") -> SessionLog:
    if not isinstance(data, dict):
        raise ImportError_(source, ["(document): must be a JSON object (a Negotiator session log)"])
    version = data.get("schema_version")
    if version not in READABLE_LOG_VERSIONS:
        shown = clip(json.dumps(version)) if version is not None else "missing"
        readable = " and ".join(map(str, READABLE_LOG_VERSIONS))
        raise ImportError_(source, [f"schema_version: {shown} is not a log version this app reads "
                                    f"(it reads versions {readable})"])
    if data.get("kind") == "run":
        raise ImportError_(source, ["kind: this is the log of a single run; import a session log instead"])
    too_large = _integers_beyond_storage(data)
    if too_large:
        raise ImportError_(source, too_large)
    try:
        # Strict, on the JSON form: a number written as text ("320") is refused, as the published schema does.
        doc = SessionLog.model_validate_json(json.dumps(data, default=str), strict=True)
    except ValidationError as exc:
        raise ImportError_(source, [f"{_where(tuple(e['loc']))}: {describe_problem(e)}"
                                    for e in exc.errors(include_url=False)]) from None
    except RecursionError:
        raise ImportError_(source, ["(document): nested too deeply to be a session log"]) from None
    problems = session_problems(doc) + _debrief_problems(doc)
    if problems:
        raise ImportError_(source, problems)
    return doc


def _integers_beyond_storage(data: Any) -> list[str]:
    """Whole numbers SQLite cannot store (64-bit), each with its location; walked without recursion."""
    out: list[str] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while stack:
        loc, node = stack.pop()
        if isinstance(node, dict):
            stack.extend(((*loc, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*loc, i), v) for i, v in enumerate(node))
        elif isinstance(node, int) and not isinstance(node, bool) and not -(2**63) <= node < 2**63:
            out.append(f"{_where(loc)}: {clip(str(node), 20)} is too large a number to store")
    return sorted(out)


def _debrief_problems(doc: SessionLog) -> list[str]:
    run_rooms = {run.run_id: room.room_key for room in doc.rooms for run in room.runs}
    out, scopes = [], set()
    for j, d in enumerate(doc.debriefs):
        if d.run_id is not None and run_rooms.get(d.run_id) != d.room_key:
            out.append(f"debriefs[{j}].run_id: '{d.run_id}' is not a run of {d.room_key} in this log")
        if d.room_key in scopes:
            out.append(f"debriefs[{j}]: a second debrief for {d.room_key or 'the session'}")
        scopes.add(d.room_key)
    return out


def read_log(doc_or_path: dict | str | Path) -> tuple[Any, str]:
    if isinstance(doc_or_path, dict):
        return doc_or_path, "document"
    path = Path(doc_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportError_(path.name, ["(file): does not exist"]) from None
    except IsADirectoryError:
        raise ImportError_(path.name, ["(file): is a folder, not a session log"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportError_(path.name, [f"(file): cannot be read ({exc})"]) from None
    try:
        return parse_json(text), path.name
    except ValueError as exc:
        raise ImportError_(path.name, [str(exc)]) from None


def import_session(store: Store, doc_or_path: dict | str | Path) -> SessionSummary:
    """A new session with every run of the log (runs get new ids). Nothing is written if anything is wrong."""
    data, source = read_log(doc_or_path)
    doc = parse_session_log(data, source)
    try:
        with store.writing() as conn:
            session_id = session_rows.insert_session(conn, doc.session.config)
            new_ids: dict[str, str] = {}
            for room in doc.rooms:
                for run in reversed(room.runs):  # oldest first, as they were recorded
                    new_ids[run.run_id] = _insert_run(conn, session_id, run)
            debrief_rows.replace_debriefs(conn, session_id, [
                Debrief(**{**d.model_dump(exclude={"scope"}), "run_id": new_ids.get(d.run_id) if d.run_id else None})
                for d in doc.debriefs])
    except StorageError as exc:
        if exc.transient:
            raise
        raise ImportError_(source, [exc.user_message]) from None
    return store.session_summary(session_id)


def _insert_run(conn, session_id: int, run: RunDoc) -> str:
    run_id = uuid.uuid4().hex
    state = RunState.INTERRUPTED if not run.state.finished else run.state  # nothing is running it here
    buyer = run.config.buyer.name
    run_rows.insert_run(
        conn, session_id=session_id, room_key=run.room_key, run_id=run_id, item=run.item, quantity=run.quantity,
        buyer=buyer, sellers=[p for p in run.participants if p != buyer], config=run.config, state=state,
        started_at=run.started_at, max_rounds=run.max_rounds, model=run.model, buyer_mode=run.buyer_mode,
        rounds=run.rounds, parse_failures=run.parse_failures, resumed_count=run.resumed_count,
        finished_at=run.finished_at, last_event_seq=max((e.event_seq for e in run.events), default=0),
    )
    for m in run.messages:
        run_rows.insert_message(conn, run_id, m)
    for o in run.offers:
        run_rows.insert_offer(conn, run_id, o.to_offer())
    for v in run.violations:
        run_rows.insert_violation(conn, run_id, v)
    for e in run.events:
        run_rows.insert_event(conn, run_id, e)
    for d in run.disclosures:
        run_rows.insert_disclosure(conn, run_id, d)
    run_rows.set_seed(conn, run_id, run.seed)
    run_rows.set_outcome(conn, run_id, run.outcome)
    return run_id
