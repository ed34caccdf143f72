"""The `experiment` subcommand's arguments, kept apart from its work so that parsing stays light."""
from __future__ import annotations


def add_parser(sub) -> None:
    """The `experiment` subcommand and its own subcommands."""
    exp = sub.add_parser("experiment", help="run a scenario many times across arms and compare them")
    cmds = exp.add_subparsers(dest="experiment_command", metavar="ACTION", required=True)
    run = cmds.add_parser("run", help="create an experiment from a file and run it")
    run.add_argument("file", metavar="EXPERIMENT.json")
    cont = cmds.add_parser("continue", help="run the unfinished runs of a stopped or crashed experiment")
    cont.add_argument("experiment_id", type=int, metavar="ID")
    for p in (run, cont):
        p.add_argument("--base-url", metavar="URL", help="OpenAI-compatible server (default: the scenario's)")
        p.add_argument("--api-key", metavar="KEY", help="API key, if the server needs one (never stored)")
        p.add_argument("--parallel", type=int, metavar="N", help="runs at once (default: the file's parallel_runs)")
    report = cmds.add_parser("report", help="print an experiment's report")
    report.add_argument("experiment_id", type=int, metavar="ID")
    report.add_argument("--format", choices=("md", "json", "csv"), default="md")
    report.add_argument("--out", metavar="FILE", help="write to FILE instead of printing")
    listing = cmds.add_parser("list", help="list stored experiments")
    for p in (run, cont, report, listing):
        p.add_argument("--db", metavar="PATH", help="SQLite database file (default: the one in your user data folder)")
