"""Test-wide setup: Qt runs offscreen; no test needs a display."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hypothesis import settings  # noqa: E402

# Property tests explore the same examples on every run: a failure is reproducible, and CI never fails
# on a case no developer saw. Explore new ground with HYPOTHESIS_PROFILE=explore.
settings.register_profile("repeatable", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


# ----- user folders: every test runs on temporary ones ------------------------------------------------------
# The app reads settings from and writes data to the user's folders; a test must never see or change the real
# ones. HOME, XDG_*, the app's own override and Qt's default INI path point into the test's tmp_path, and the
# credential store is keyring's "none" backend unless a test installs its own.

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def temporary_user_folders(tmp_path_factory, monkeypatch):
    import keyring
    from keyring.backends import fail
    from PySide6.QtCore import QSettings

    from negotiator_app.paths import user_dir_environment
    from negotiator_app.storage.credentials import api_keys

    root = tmp_path_factory.mktemp("user")
    env = user_dir_environment(root)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, env["XDG_CONFIG_HOME"])
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    api_keys.forget()
    yield root
    api_keys.forget()
    keyring.set_keyring(previous)


# --- Unexpected errors in the log fail the test ------------------------------------------------------------
# The event bus, the recorder and the room runner catch exceptions and log them, so a broken listener or a
# lost write would otherwise pass silently. A test that provokes errors on purpose declares them:
# `@pytest.mark.expect_errors(r"pattern", ...)` or, inside the test, `expect_errors(r"pattern")`.
import logging  # noqa: E402
import re  # noqa: E402


class _ErrorRecords(logging.Handler):
    """Collects every record at ERROR or above, from any thread, while one test runs."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.expected: list[re.Pattern[str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def expect(self, *patterns: str) -> None:
        self.expected.extend(re.compile(p) for p in patterns)

    def _text(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f"\n{type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        return text

    def unexpected(self) -> list[str]:
        return [self.format(r) for r in self.records
                if not any(p.search(self._text(r)) for p in self.expected)]


@pytest.fixture(autouse=True)
def fail_on_logged_errors(request):
    """Fails the test on any log record at ERROR or above it did not declare with expect_errors."""
    handler = _ErrorRecords()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    for marker in request.node.iter_markers("expect_errors"):
        handler.expect(*marker.args)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    unexpected = handler.unexpected()
    if unexpected:
        pytest.fail("unexpected errors were logged (declare them with expect_errors if the test provokes them):\n"
                    + "\n".join(unexpected), pytrace=False)



@pytest.fixture
def expect_errors(fail_on_logged_errors):
    """`expect_errors(r"pattern", ...)` declares log errors this test provokes on purpose."""
    return fail_on_logged_errors.expect


@pytest.fixture(autouse=True)
def restore_process_state():
    """Put back the process-wide state the app sets up once per process, so no test inherits another's: the
    window installs its loop's async-generator hooks (qasync does not), and configuring the log file adds root
    handlers and points faulthandler at that file (which the test's tmp_path outlives only briefly)."""
    import faulthandler
    import sys

    hooks = sys.get_asyncgen_hooks()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    crash_reports = faulthandler.is_enabled()
    yield
    sys.set_asyncgen_hooks(*hooks)
    from negotiator_app.logs import LogFileHandler

    added_by_the_app = [h for h in root.handlers if h not in handlers  # pytest's own capture handlers stay
                        and (isinstance(h, LogFileHandler) or type(h) is logging.StreamHandler)]
    for handler in added_by_the_app:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    if crash_reports:
        faulthandler.enable(file=sys.__stderr__)  # where pytest reports a crash
