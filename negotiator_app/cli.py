"""Argument parsing: `negotiator` opens the window; subcommands run headless."""
from __future__ import annotations

import argparse

MAX_ROUNDS = 50  # LLMSettings.max_rounds' bound


def round_limit(text: str) -> int:
    """--rounds: a whole number from 1 to 50 (0 used to be ignored silently)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_ROUNDS}, not {text[:40]!r}") from None
    if not 1 <= value <= MAX_ROUNDS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_ROUNDS}, not {value}")
    return value


def server_url(text: str) -> str:
    """--base-url: an http:// or https:// address."""
    if not text.lower().startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(
            f"must start with http:// or https:// (e.g. http://localhost:1234/v1), not {text[:80]!r}")
    return text


class VersionAction(argparse.Action):
    """--version: the package metadata is read only when asked (importlib.metadata slows every start)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None) -> None:  # noqa: A002 - argparse's name
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from . import __version__

        print(f"negotiator {__version__}")
        parser.exit()


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH", help="SQLite database file (default: the one in your user data folder)")


def _server(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", type=server_url, metavar="URL",
                        help="OpenAI-compatible server (default: the scenario's)")
    parser.add_argument("--model", metavar="NAME", help="model id (default: the scenario's, else the first loaded)")
    parser.add_argument("--api-key", metavar="KEY", help="API key, if the server needs one (never stored)")
    parser.add_argument("--export-dir", metavar="DIR", help="also write JSON logs and Markdown transcripts here")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="negotiator", description=__doc__)
    parser.add_argument("--version", action=VersionAction, help="show the version and exit")
    # Window options (their own dests: subcommands define --db/--base-url too, and a subparser's defaults
    # would overwrite same-named top-level values).
    parser.add_argument("--db", dest="app_db", metavar="PATH", help="database file for the window")
    parser.add_argument("--base-url", dest="app_base_url", type=server_url, metavar="URL", help="model server for every session")
    parser.add_argument("--smoke-test", action="store_true",
                        help="start the window offscreen on a temporary database, create a session from an "
                             "example (and run one round if --base-url is given), then exit 0 or 1")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="negotiate a scenario file headless and store it")
    run.add_argument("scenario", metavar="SCENARIO.json")
    run.add_argument("--rounds", type=round_limit, metavar="N", help=f"round limit per room (1 to {MAX_ROUNDS})")
    _server(run)
    _db(run)

    resume = sub.add_parser("resume", help="resume an interrupted run headless")
    resume.add_argument("run_id", metavar="RUN_ID")
    _server(resume)
    _db(resume)

    sessions = sub.add_parser("sessions", help="list stored sessions, with the states of their runs")
    _db(sessions)

    runs = sub.add_parser("runs", help="list a session's runs: id, room, item, state, rounds, outcome")
    runs.add_argument("session_id", type=int, metavar="SESSION_ID")
    _db(runs)

    export = sub.add_parser("export", help="export a session log")
    export.add_argument("session_id", type=int, metavar="SESSION_ID")
    export.add_argument("--out", required=True, metavar="FILE")
    export.add_argument("--format", choices=("json", "md"), default="json")
    _db(export)

    debrief = sub.add_parser("debrief", help="have the model write the AI debrief of a session, store and print it")
    debrief.add_argument("session_id", type=int, metavar="SESSION_ID")
    debrief.add_argument("--base-url", type=server_url, metavar="URL", help="OpenAI-compatible server (default: the session's)")
    debrief.add_argument("--model", metavar="NAME",
                         help="model id (default: the session's, else the one that negotiated, else the first loaded)")
    debrief.add_argument("--api-key", metavar="KEY", help="API key, if the server needs one (never stored)")
    _db(debrief)

    imp = sub.add_parser("import", help="import a session from its JSON log")
    imp.add_argument("file", metavar="FILE")
    _db(imp)

    from .experiments.arguments import add_parser as add_experiment_parser  # light: parsing imports nothing heavy

    add_experiment_parser(sub)
    return parser


def _stored_api_key() -> str | None:
    """The key saved from the Settings dialog, where the system has a credential store; else --api-key each run."""
    from .storage.settings import load_settings

    return load_settings().default_llm().api_key


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from .app import run_app

        return run_app(args)
    from .logs import configure_cli_logging

    configure_cli_logging()
    if getattr(args, "api_key", None) is None and args.command in ("run", "resume", "debrief"):
        args.api_key = _stored_api_key()
    if args.command in ("run", "resume"):
        return _negotiate(args)
    if args.command == "experiment":
        from .experiments.cli import main as experiment_main

        if getattr(args, "api_key", None) is None and args.experiment_command in ("run", "continue"):
            args.api_key = _stored_api_key()
        return experiment_main(args)
    return _on_stored(args)


def _negotiate(args: argparse.Namespace) -> int:
    """`run` and `resume`: headless imports only what asking the server first needs; the store follows."""
    from . import headless

    if args.command == "run":
        return headless.run_command(args.scenario, db=args.db, base_url=args.base_url, model=args.model,
                                    rounds=args.rounds, export_dir=args.export_dir, api_key=args.api_key)
    return headless.resume_command(args.run_id, db=args.db, base_url=args.base_url, model=args.model,
                                   api_key=args.api_key, export_dir=args.export_dir)


def _on_stored(args: argparse.Namespace) -> int:
    """The commands on what is stored: sessions, runs, export, debrief, import."""
    from . import stored_commands

    if args.command == "sessions":
        return stored_commands.sessions_command(db=args.db)
    if args.command == "runs":
        return stored_commands.runs_command(args.session_id, db=args.db)
    if args.command == "export":
        return stored_commands.export_command(args.session_id, args.out, fmt=args.format, db=args.db)
    if args.command == "debrief":
        return stored_commands.debrief_command(args.session_id, db=args.db, base_url=args.base_url,
                                               model=args.model, api_key=args.api_key)
    return stored_commands.import_command(args.file, db=args.db)
