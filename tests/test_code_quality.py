"""Lint (ruff) and type check (mypy) run inside the test suite, so `uv run pytest` is everything CI runs."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str, timeout: float) -> subprocess.CompletedProcess:
    # Configured in pyproject.toml ([tool.ruff], [tool.mypy]), which both find from the repository root.
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def test_ruff_finds_nothing():
    result = _run("ruff", "check", "--no-cache", "negotiator_app", "tests", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.timeout(600)  # a first run with no cache checks every module and the libraries' stubs
def test_mypy_finds_nothing():
    result = _run("mypy", timeout=540)
    assert result.returncode == 0, result.stdout + result.stderr
