"""The suite's strictness is real: each kind of accident the configuration guards against fails a test."""
from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

pytest_plugins = ["pytester"]

ACCIDENTS = '''
import logging
import time
import warnings

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QPainter

from tests.conftest import expect_errors, fail_on_logged_errors, restore_process_state  # noqa: F401


def test_an_undeclared_logged_error():
    logging.getLogger("negotiator").error("a listener failed")


@pytest.mark.expect_errors(r"a listener failed")
def test_a_declared_logged_error():
    logging.getLogger("negotiator").error("a listener failed")


def test_an_error_declared_inside_the_test(expect_errors):
    expect_errors(r"lost")
    logging.getLogger("negotiator").error("an event was lost")


def test_a_python_warning():
    warnings.warn("deprecated", DeprecationWarning)


def test_a_qt_warning(qtbot):
    QPainter().drawRect(QRect(0, 0, 1, 1))


@pytest.mark.timeout(1)
def test_a_hang():
    time.sleep(30)
'''


def _ini_section() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r"^\[tool\.pytest\.ini_options\]\n.*?(?=^\[)", text, re.S | re.M).group(0)


def test_each_accident_fails_its_test(pytester, monkeypatch):
    pytester.makefile(".toml", pyproject=_ini_section())
    pytester.makepyfile(test_accidents=ACCIDENTS)
    env_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    monkeypatch.setenv("PYTHONPATH", env_path)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    # With our conftest's fixtures and pyproject's [tool.pytest.ini_options], in a pytest of its own.
    result = pytester.runpytest_subprocess("test_accidents.py", "-rA", "-p", "no:cacheprovider", timeout=120)
    outcomes = {m.group(2): m.group(1) for m in re.finditer(r"^(PASSED|FAILED|ERROR) test_accidents\.py::(\w+)",
                                                            result.stdout.str(), re.M)}
    assert outcomes == {
        "test_an_undeclared_logged_error": "ERROR",  # failed at teardown, where the records are checked
        "test_a_declared_logged_error": "PASSED",
        "test_an_error_declared_inside_the_test": "PASSED",
        "test_a_python_warning": "FAILED",
        "test_a_qt_warning": "FAILED",
        "test_a_hang": "FAILED",
    }, result.stdout.str()[-3000:]
