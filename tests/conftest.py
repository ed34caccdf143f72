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

import pytest


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
