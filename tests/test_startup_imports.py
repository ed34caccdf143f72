"""Start-up stays cheap: the command line parses its arguments before any heavy library is imported, so
`--help`, `--version` and argument errors answer at once and each command pays only for what it uses."""
import subprocess
import sys

HEAVY = ("sqlalchemy", "PySide6", "qasync", "pydantic", "httpx", "keyring")


def test_the_command_line_parses_arguments_without_importing_heavy_libraries():
    code = ("import sys; from negotiator_app import cli; "
            "cli.build_parser().parse_args(['run', 'scenario.json', '--rounds', '3']); "
            f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})); "
            "print(heavy); sys.exit(bool(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"imported before any command ran: {result.stdout}{result.stderr}"


def test_negotiator_help_runs_without_importing_heavy_libraries():
    code = ("import runpy, sys\n"
            "sys.argv = ['negotiator', '--help']\n"
            "try:\n    runpy.run_module('negotiator_app', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
            "print('HEAVY', heavy)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "usage:" in result.stdout and "HEAVY []" in result.stdout, result.stdout + result.stderr


def test_the_light_experiment_arguments_offer_every_report_format():
    from negotiator_app.cli import build_parser
    from negotiator_app.experiments.exports import FORMATS

    args = build_parser().parse_args(["experiment", "report", "1", "--format", "csv"])
    assert args.format == "csv"
    for fmt in FORMATS:
        assert build_parser().parse_args(["experiment", "report", "1", "--format", fmt]).format == fmt
