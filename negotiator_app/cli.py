"""Argument parsing: `negotiator` opens the window; subcommands run headless."""
from __future__ import annotations

import argparse

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="negotiator", description=__doc__)
    parser.add_argument("--version", action="version", version=f"negotiator {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .app import run_app

    return run_app(args)
