"""The PyInstaller bundle: builds from build.spec, carries its resources, and passes its own smoke test."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from negotiator_app import __version__
from tests.engine.support import Script
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.waiting import wait_until

# The first test builds the bundle (up to BUILD_TIMEOUT_S) in its set-up: the per-test limit must cover it.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
EXE_NAME = "Negotiator.exe" if sys.platform == "win32" else "Negotiator"
BUILD_TIMEOUT_S = 600
RUN_TIMEOUT_S = 180


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """Build once per module into a temporary folder (PyInstaller's cache too: nothing outside tmp)."""
    tmp = tmp_path_factory.mktemp("pyinstaller")
    env = {**os.environ, "PYINSTALLER_CONFIG_DIR": str(tmp / "config")}
    started = time.monotonic()
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", str(ROOT / "build.spec"), "--noconfirm", "--log-level", "WARN",
         "--distpath", str(tmp / "dist"), "--workpath", str(tmp / "build")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S,
    )
    assert build.returncode == 0, f"pyinstaller failed:\n{build.stdout[-4000:]}\n{build.stderr[-8000:]}"
    print(f"bundle built in {time.monotonic() - started:.1f} s")
    folder = tmp / "dist" / "Negotiator"
    assert (folder / EXE_NAME).is_file(), sorted(p.name for p in folder.iterdir())
    return folder


def _env(home: Path, **extra: str) -> dict[str, str]:
    """The frozen app's environment: offscreen Qt, and every platform directory inside `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "NEGOTIATOR_"))}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(home), USERPROFILE=str(home),
               APPDATA=str(home / "AppData" / "Roaming"), LOCALAPPDATA=str(home / "AppData" / "Local"),
               XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_STATE_HOME=str(home / "state"), XDG_CACHE_HOME=str(home / "cache"), **extra)
    return env


def _run(bundle: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(bundle / EXE_NAME), *args], env=_env(home), capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S, stdin=subprocess.DEVNULL)


def _internal(bundle: Path) -> Path:
    return bundle / "_internal"


def test_the_bundle_carries_the_resources_the_app_loads(bundle):
    resources = _internal(bundle) / "resources"
    source = ROOT / "resources"
    for folder in ("icons", "scenarios", "schemas"):
        wanted = {p.name for p in (source / folder).iterdir() if p.is_file()}
        assert wanted and wanted <= {p.name for p in (resources / folder).iterdir()}, folder
    assert not (resources / "screenshots").exists()


def test_the_bundle_keeps_the_qt_it_needs_and_leaves_out_the_rest(bundle):
    files = [p.relative_to(_internal(bundle)).as_posix() for p in _internal(bundle).rglob("*")]
    names = "\n".join(files)
    for needed in ("plugins/platforms/" + ("qwindows" if sys.platform == "win32" else
                                           "libqcocoa" if sys.platform == "darwin" else "libqxcb"),
                   "plugins/platforms/" + ("qoffscreen" if sys.platform == "win32" else "libqoffscreen"),
                   "plugins/iconengines/", "Qt6Svg", "PySide6/QtSvg"):
        assert needed in names, needed
    for unwanted in ("QtWebEngine", "Qt6Qml", "Qt6Quick", "Qt6Network", "Qt6Pdf", "Qt6Multimedia", "Qt63D",
                     "translations/qt", "tkinter", "_tkinter", "hypothesis", "pytest", "pygments"):
        assert unwanted not in names, unwanted


def test_the_bundle_imports_nothing_at_start_that_the_app_does_not_use(bundle):
    """Every runtime hook runs before the app's first line: multiprocessing's imported it at every start."""
    from PyInstaller.archive.readers import CArchiveReader

    executable = CArchiveReader(str(bundle / EXE_NAME))
    hooks = sorted(name for name in executable.toc if name.startswith("pyi_rth_"))
    assert "pyi_rth_multiprocessing" not in hooks, hooks
    modules = executable.open_embedded_archive("PYZ.pyz").toc
    assert not [m for m in modules if m.split(".")[0] in ("multiprocessing", "mypy")]
    assert "negotiator_app.app" in modules


def test_the_bundle_reports_the_package_version(bundle, tmp_path):
    result = _run(bundle, tmp_path, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"negotiator {__version__}"


def test_smoke_test_opens_the_window_and_creates_a_session_from_an_example(bundle, tmp_path):
    started = time.monotonic()
    result = _run(bundle, tmp_path, "--smoke-test")
    print(f"frozen --smoke-test: {time.monotonic() - started:.2f} s")
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr[-4000:]}"
    assert "window up; session" in result.stdout
    # The smoke test works on a temporary database: the person's data folder stays untouched.
    assert not (tmp_path / "data" / "Negotiator" / "negotiator.sqlite3").exists()


def test_smoke_test_runs_one_round_against_the_server(bundle, tmp_path):
    with FakeLMStudio() as fake:
        fake.responder = Script()
        base_url = fake.base_url
        result = _run(bundle, tmp_path, "--smoke-test", "--base-url", base_url)
        requests = list(fake.requests)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr[-4000:]}"
    assert f"one round against {base_url}" in result.stdout
    assert requests, "nothing crossed the wire"
    assert all(body["messages"] for body in requests)
    prompts = [body["messages"][0]["content"] for body in requests]
    assert any("a buyer." in p for p in prompts) and any("a seller" in p for p in prompts)


def _has_sessions_table(database: Path) -> bool:
    """The app has created its schema (the file alone exists, empty, a moment before)."""
    if not database.exists():
        return False
    try:
        with closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True, timeout=1)) as conn:
            return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sessions'"
                                ).fetchone()[0] == 1
    except sqlite3.Error:  # locked or half-written: not yet
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG directories are the Linux layout")
def test_the_frozen_app_writes_data_and_logs_to_the_platform_directories(bundle, tmp_path):
    database = tmp_path / "data" / "Negotiator" / "negotiator.sqlite3"
    log_file = tmp_path / "state" / "Negotiator" / "log" / "negotiator.log"
    process = subprocess.Popen([str(bundle / EXE_NAME)], env=_env(tmp_path), stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: process.poll() is not None or (_has_sessions_table(database) and log_file.exists()),
                   timeout=90, interval=0.1, what="the database schema and the log file")
        assert process.poll() is None, process.stderr.read().decode(errors="replace")[-4000:]
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        process.stderr.close()
    assert _has_sessions_table(database)
    assert not list(tmp_path.glob("*.sqlite3")), "nothing lands in the working folder"
