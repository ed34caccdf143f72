"""`negotiator experiment run|continue|report|list`: experiments headless, with a progress bar on a terminal."""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from ..domain import ScenarioError
from ..headless import (
    EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_SERVER, EXIT_STORAGE, Out, open_db, print_problems, to_stderr,
    to_stdout,
)
from ..runtime import client_factory
from ..storage import NotFound, StorageError, Store
from ..storage import experiments as rows
from .arguments import add_parser  # noqa: F401 - the command line's entry for this subcommand
from .exports import FORMATS, to_markdown
from .report import experiment_report
from .runner import ExperimentRunner, Progress, Result, create_experiment
from .spec import ExperimentError, load_experiment


def main(args: argparse.Namespace, out: Out = to_stdout, err: Out = to_stderr) -> int:
    store = open_db(args.db, err)
    if store is None:
        return EXIT_STORAGE
    try:
        command = args.experiment_command
        if command == "list":
            return _list(store, out)
        if command == "report":
            return _report(store, args.experiment_id, args.format, args.out, out, err)
        if command == "run":
            try:
                experiment_id = create_experiment(store, load_experiment(args.file))
            except (ExperimentError, ScenarioError) as exc:
                print_problems(err, f"{exc.source} is not a valid {'experiment' if isinstance(exc, ExperimentError) else 'scenario'}",
                               exc.errors)
                return EXIT_BAD_INPUT
            out(f"experiment {experiment_id} created; continue it after a stop with "
                f"`negotiator experiment continue {experiment_id}`")
        else:
            experiment_id = args.experiment_id
        return _run(store, experiment_id, args, out, err)
    except NotFound as exc:
        err(f"error: there is no experiment {exc.args[0]} in {store.path}")
        return EXIT_BAD_INPUT
    except StorageError as exc:
        err(f"error: {exc.user_message}")
        return EXIT_STORAGE
    finally:
        store.close()


def _list(store: Store, out: Out) -> int:
    for e in rows.list_experiments(store):
        out(f"{e.id}  {e.name}  {e.done}/{e.total} runs done  created {e.created_at:%Y-%m-%d %H:%M}")
    return EXIT_OK


def _report(store: Store, experiment_id: int, fmt: str, path: str | None, out: Out, err: Out) -> int:
    text = FORMATS[fmt](experiment_report(store, experiment_id))
    if path:
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            err(f"error: cannot write {path}: {exc.strerror or exc}")
            return EXIT_BAD_INPUT
        out(f"wrote {path}")
    else:
        out(text.rstrip("\n"))
    return EXIT_OK


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60:02d}:{s % 60:02d}"


def progress_printer(out: Out, terminal: bool):
    """A redrawn bar on a terminal; one plain line per finished run otherwise (logs, pipes, CI)."""

    def show(p: Progress) -> None:
        left = f"elapsed {_clock(p.elapsed_s)}, about {_clock(p.eta_s)} left"
        if terminal:
            filled = int(30 * p.done / p.total) if p.total else 30
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {p.done}/{p.total} · {left}  ")
            sys.stderr.flush()
        else:
            out(f"progress: {p.done}/{p.total} runs done · {left}" + (f" · {p.last}" if p.last else ""))

    return show


def _run(store: Store, experiment_id: int, args, out: Out, err: Out) -> int:
    terminal = sys.stderr.isatty()

    async def go() -> Result:
        runner = ExperimentRunner(store, experiment_id, client_factory(args.base_url, args.api_key),
                                  on_progress=progress_printer(out, terminal), parallel_runs=args.parallel)
        return await runner.run()

    try:
        result = asyncio.run(go())
    except KeyboardInterrupt:
        result = None
    if terminal:
        sys.stderr.write("\n")
    if result is None or result.status == "stopped":
        done = rows.load_experiment(store, experiment_id).done
        err(f"stopped with {done} runs done; `negotiator experiment continue {experiment_id}` runs the rest")
        return EXIT_INTERRUPTED
    if result.status == "paused":
        err(f"error: {result.message}")
        err(f"continue with `negotiator experiment continue {experiment_id}`")
        return EXIT_SERVER
    out("")
    out(to_markdown(experiment_report(store, experiment_id)).rstrip("\n"))
    return EXIT_OK
