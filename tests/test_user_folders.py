"""Tests and the smoke test run on temporary user folders: the person's real settings and data are never read
or written."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings

from negotiator_app.paths import USER_DIR_ENV, config_dir, data_dir, default_db_path, export_dir, log_dir
from negotiator_app.storage.settings import load_settings, save_settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_user_folder_a_test_can_reach_is_under_its_temporary_folder(temporary_user_folders):
    settings = load_settings()
    save_settings(settings)  # a test that writes settings...
    reached = [settings.path, config_dir(), data_dir(), log_dir(), export_dir(), default_db_path(), Path.home(),
               Path(QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Negotiator", "x").fileName())]
    for path in reached:  # ...writes under the test's own folder
        assert path.is_relative_to(temporary_user_folders), path


def test_the_smoke_test_creates_nothing_outside_its_temporary_folder(tmp_path):
    home, scratch = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    scratch.mkdir()
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("XDG_") and name not in (USER_DIR_ENV, "PYTHON_KEYRING_BACKEND")}
    env.update(HOME=str(home), TMPDIR=str(scratch), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "negotiator_app", "--smoke-test"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "window up" in done.stdout
    assert list(home.rglob("*")) == [], "the smoke test wrote into the home folder"
    assert list(scratch.iterdir()) == [], "the smoke test left files behind in its temporary folder"
