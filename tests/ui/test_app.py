"""App wiring: unexpected errors → dialog + log file, settings, CLI flags, the smoke test, layering."""
from __future__ import annotations

import asyncio
import gc
import logging
import re
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from negotiator_app.cli import build_parser
from negotiator_app.ui.error_dialog import ErrorReporter, configure_logging
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.window_support import dealing_responder

UI_DIR = Path(__file__).resolve().parents[2] / "negotiator_app" / "ui"


@pytest.fixture
def log_file(tmp_path):
    path = configure_logging(tmp_path / "logs")
    yield path
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, RotatingFileHandler)]:
        if Path(handler.baseFilename) == path:
            root.removeHandler(handler)
            handler.close()


def _raise_and_report(hook) -> None:
    try:
        raise ZeroDivisionError("injected failure")
    except ZeroDivisionError:
        hook(*sys.exc_info())


@pytest.mark.expect_errors(r"unexpected error: injected failure")
def test_an_unexpected_exception_shows_a_dialog_and_writes_the_traceback_to_the_log(qtbot, log_file):
    reporter = ErrorReporter(log_file)
    reporter.install()
    try:
        _raise_and_report(sys.excepthook)
    finally:
        reporter.uninstall()
    dialog = reporter.dialogs[-1]
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    text = dialog.message_label.text()
    assert "injected failure" in text and str(log_file) in text
    assert "Traceback" not in text and not dialog.details_view.isVisible()  # no traceback in the user's face
    dialog.copy_button.click()
    assert "ZeroDivisionError: injected failure" in QGuiApplication.clipboard().text()
    logged = log_file.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged and "ZeroDivisionError: injected failure" in logged


@pytest.mark.expect_errors(r"unexpected error: lost in a task")
def test_an_exception_in_a_task_reaches_the_dialog_through_the_loop_handler(qtbot, arun, log_file):
    reporter = ErrorReporter(log_file)

    async def fails() -> None:
        raise ValueError("lost in a task")

    async def scenario():
        reporter.install(arun.loop)
        task = asyncio.get_running_loop().create_task(fails())
        await until(task.done, what="the task to fail")
        del task  # nobody retrieves its exception: asyncio hands it to the loop's handler when the task is freed
        gc.collect()
        await until(lambda: reporter.dialogs, what="the error dialog")

    arun.run(scenario())
    reporter.uninstall()
    dialog = reporter.dialogs[-1]
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and "lost in a task" in dialog.message_label.text()
    assert "ValueError: lost in a task" in log_file.read_text(encoding="utf-8")


def test_command_line_takes_window_flags_next_to_subcommands():
    args = build_parser().parse_args(["--db", "x.sqlite3", "--base-url", "http://h:1/v1", "--smoke-test"])
    assert (args.app_db, args.app_base_url, args.smoke_test, args.command) == ("x.sqlite3", "http://h:1/v1", True, None)
    assert build_parser().parse_args(["sessions", "--db", "y"]).db == "y"


def test_smoke_test_runs_one_round_against_a_server(qapp, capsys):
    from negotiator_app.smoke import run_smoke_test

    with FakeLMStudio() as fake:
        fake.responder = dealing_responder
        url = fake.base_url
        assert run_smoke_test(url) == 0
    out = capsys.readouterr().out
    assert "session" in out and f"one round against {url}" in out and "messages stored" in out
    qapp.setQuitOnLastWindowClosed(True)


def test_smoke_test_fails_with_a_message_when_the_server_is_gone(qapp, capsys):
    from negotiator_app.smoke import run_smoke_test
    from tests.ui.window_support import closed_port_url

    assert run_smoke_test(closed_port_url()) == 1
    assert "FAILED" in capsys.readouterr().err
    qapp.setQuitOnLastWindowClosed(True)


def test_ui_never_talks_http_or_sql_directly():
    offenders = [str(p.relative_to(UI_DIR)) for p in UI_DIR.rglob("*.py")
                 if re.search(r"^\s*(import|from)\s+(httpx|sqlalchemy|sqlite3|aiosqlite)\b",
                              p.read_text(encoding="utf-8"), re.M)]
    assert offenders == []
