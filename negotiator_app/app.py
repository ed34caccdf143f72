"""Composition root: the QApplication, the qasync loop and the window; sessions are opened by the runtime.

Public entry points: `application()`, `run_window()` and `run_app()` (the smoke test uses the first two)."""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

log = logging.getLogger("negotiator")
T = TypeVar("T")
FIRST_PAINT_WAIT_S = 5.0  # the store opens after the window's first paint, or after this long without one


def application():
    from PySide6.QtWidgets import QApplication

    from .ui.pyside_import_hook import quicken_pyside_import_hook

    quicken_pyside_import_hook()

    from .ui.gc_guard import MainThreadGarbageCollector
    from .ui.icons import app_icon

    app = QApplication.instance() or QApplication(sys.argv)
    if not hasattr(app, "gc_guard"):  # Qt objects must only ever be freed on the GUI thread
        app.gc_guard = MainThreadGarbageCollector(app)
    app.setOrganizationName("Negotiator")
    app.setApplicationName("Negotiator")
    app.setDesktopFileName("negotiator")
    # The window's closeEvent decides when to quit (after rooms are stopped and stored), not Qt.
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(app_icon())
    return app


def status_client_factory(base_url: str, api_key: str | None):
    from .llm import LLMClient

    # A status probe must answer quickly: a short connect timeout and no retries.
    return LLMClient(base_url, api_key=api_key, connect_timeout=2.0, read_timeout=10.0, max_retries=0)


def install_asyncgen_hooks(loop: asyncio.AbstractEventLoop) -> None:
    """qasync's run_forever skips asyncio's async-generator hooks, so a generator left mid-iteration (an SSE
    reader that returned at [DONE]) would be finalised with no loop and spew "ignored GeneratorExit"."""
    firstiter = getattr(loop, "_asyncgen_firstiter_hook", None)
    finalizer = getattr(loop, "_asyncgen_finalizer_hook", None)
    if firstiter is not None and finalizer is not None:
        sys.set_asyncgen_hooks(firstiter=firstiter, finalizer=finalizer)


def preload_session_modules() -> None:
    """Import what opening a session needs (the runtime with its engine, HTTP client, strategies and recorder;
    the room panes and run pickers) on the store's thread once the store is open. Imported on first use instead,
    they stalled the GUI thread for about 400 ms the first time a session was opened. Importing only defines
    classes; no widget is made off the GUI thread."""
    from .runtime import session  # noqa: F401
    from .ui import bridge, room_panes, run_picker, session_view  # noqa: F401
    from .ui.room import pane  # noqa: F401


def load_once(load: Callable[[], T]) -> Callable[[], T]:
    """`load` runs once, on the first thread that asks; a thread asking meanwhile waits for that result."""
    lock = threading.Lock()
    loaded: list[T] = []

    def get() -> T:
        with lock:
            if not loaded:
                loaded.append(load())
            return loaded[0]

    return get


async def run_window(app, *, db_path: Path | None, settings=None, window_state=None, base_url: str | None = None,
                     log_file: Path | None = None,
                     on_started: Callable[[object], Awaitable[None]] | None = None, show: bool = True) -> int:
    """Show the window, then open the store, run until the window has closed cleanly, then release everything.

    The window is shown before the settings are read and the database is opened (its sidebar says it is
    loading): pydantic and the settings' models, SQLAlchemy, the engine and the runtime are imported and the
    store opened on the store's thread after the first paint, and what the window asks of the store meanwhile
    waits for it there. `settings`: UserSettings, a function that loads them, or None (the settings file).
    `db_path` None: the database the settings name, else the default one."""
    from .storage.async_store import AsyncStore
    from .storage.errors import StorageError
    from .ui.error_dialog import ErrorReporter
    from .ui.main_window import MainWindow

    install_asyncgen_hooks(asyncio.get_running_loop())
    reporter = ErrorReporter(log_file)
    reporter.install(asyncio.get_running_loop())
    user_settings = load_once(settings if callable(settings) else (lambda: settings) if settings is not None
                              else _load_settings)
    disk = AsyncStore.opening()
    opened: list = []  # the OpenedStore, once the store's thread has opened it
    loop = asyncio.get_running_loop()
    settings_read = loop.create_future()

    def open_on_the_store_thread():
        # The settings first, before the runtime's imports: pydantic is then wholly imported before window.start()
        # lets the GUI thread import anything that uses it. (Imported by two threads at once, PySide's import hook
        # and pydantic's lazy module attributes met a half-imported module and failed.)
        loaded = user_settings()
        loop.call_soon_threadsafe(lambda: settings_read.done() or settings_read.set_result(None))
        from .runtime import open_store  # SQLAlchemy, the engine and the runtime load here, off the GUI thread
        from .storage.settings import resolve_db_path

        # Also prunes old exports and marks crash-left runs interrupted.
        opened.append(open_store(resolve_db_path(db_path, loaded), loaded))
        preload_session_modules()
        return opened[0].store

    def make_client(llm):  # the API key is looked up per client: Settings may change it
        from .runtime import client_factory

        return client_factory(base_url)(llm if llm.api_key else llm.model_copy(
            update={"api_key": user_settings().default_llm().api_key}))

    window = MainWindow(disk, user_settings, make_client, status_client_factory, reporter=reporter,
                        base_url_override=base_url, window_state=window_state)
    try:
        closed = asyncio.Event()
        window.closed.connect(closed.set)
        if show:
            painted = first_paint(window)
            window.show()
            with contextlib.suppress(TimeoutError):  # e.g. a window manager that keeps it hidden: open anyway
                await asyncio.wait_for(painted.wait(), FIRST_PAINT_WAIT_S)
            # When and after how much CPU the window showed (the start-up benchmark reads this line).
            log.info("main window shown after %.2f s of CPU", sum(os.times()[:2]))
        opening = asyncio.ensure_future(disk.open(open_on_the_store_thread))
        await asyncio.wait([settings_read, opening], return_when=asyncio.FIRST_COMPLETED)
        if settings_read.done():  # else reading them failed: `await opening` raises that below
            window.start()  # its reads wait on the store's thread until the store is open
        try:
            await opening
        except StorageError as exc:
            window.hide()
            await window.shutdown()
            reporter.show_dialog("Cannot open the database", exc.user_message)
            await _until_closed(reporter)
            return 1
        # What is alive now (modules, the window, the store) lives as long as the app: keep it out of every later full
        # garbage collection, whose pause - on whichever thread allocates, holding the interpreter lock - would
        # otherwise grow with it and stall the window (e.g. while a session's runs are read).
        gc.freeze()
        # Finding keyring's backend costs most of a second: do it off the GUI thread before Settings needs it.
        from .storage.credentials import api_keys

        asyncio.get_running_loop().run_in_executor(None, api_keys.backend_name)
        if window.settings.notices:  # e.g. a plain-text API key moved out of an old settings file
            window.statusBar().showMessage(" ".join(window.settings.notices), 30000)
        if opened[0].recovered_from is not None:
            window.notify_recovered_database(opened[0].recovered_from)
        if on_started is not None:
            await on_started(window)
        with stop_on_sigterm(closed) as terminated:  # like closing the window: rooms stopped, transcripts stored
            await closed.wait()
        return 143 if terminated.is_set() else 0
    finally:
        await window.shutdown()  # idempotent: cancels and awaits whatever is still running
        if disk.is_open:
            disk.store.close()
        disk.close()
        reporter.uninstall()


def first_paint(widget) -> asyncio.Event:
    """An event set when `widget` is first painted (the moment a person can see the window)."""
    from PySide6.QtCore import QEvent, QObject

    painted = asyncio.Event()

    class FirstPaint(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint and not painted.is_set():
                painted.set()
                obj.removeEventFilter(self)
            return False

    watcher = FirstPaint(widget)  # parented: lives as long as the window
    widget.installEventFilter(watcher)
    return painted


@contextmanager
def stop_on_sigterm(closed: asyncio.Event) -> Iterator[asyncio.Event]:
    """SIGTERM ends the window's run like closing it: `closed` is set, and run_window's shutdown stops the rooms
    and stores what they said. Python runs a signal handler only when the interpreter gets control back, so a
    wake-up socket watched by Qt makes an idle Qt event loop notice the signal at once. Yields an event set
    when SIGTERM came; the previous handler is restored on exit."""
    from PySide6.QtCore import QSocketNotifier

    terminated = asyncio.Event()
    if os.name == "nt" or threading.current_thread() is not threading.main_thread():
        yield terminated
        return
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(lambda *_: _drain(reader))  # waking up is enough: the Python handler then runs

    def on_term(_signum, _frame) -> None:
        terminated.set()
        closed.set()

    previous_fd = signal.set_wakeup_fd(writer.fileno())
    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield terminated
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        reader.close()
        writer.close()


def _drain(sock: socket.socket) -> None:
    try:
        while sock.recv(64):
            pass
    except OSError:  # nothing more to read (or closed)
        pass


async def _until_closed(reporter) -> None:
    while any(d.isVisible() for d in reporter.dialogs):
        await asyncio.sleep(0.1)


def run_app(args: argparse.Namespace) -> int:
    if getattr(args, "smoke_test", False):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from .smoke import run_smoke_test

        return run_smoke_test(getattr(args, "app_base_url", None))
    import PySide6.QtCore  # noqa: F401 - first, so that the import hook is quickened before the rest loads

    from .ui.pyside_import_hook import quicken_pyside_import_hook

    quicken_pyside_import_hook()
    import qasync

    from .paths import log_dir
    from .ui.error_dialog import configure_logging

    log_file = configure_logging(log_dir())
    app = application()
    db = getattr(args, "app_db", None)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(run_window(app, db_path=Path(db) if db else None, settings=_load_and_migrate_settings,
                                     base_url=getattr(args, "app_base_url", None), log_file=log_file))


def _load_settings():
    from .storage.settings import load_settings

    return load_settings()


def _load_and_migrate_settings():
    """The person's settings, with what an older version left in Qt's own settings file moved into them."""
    from .ui.window_state import migrate_legacy_qsettings

    settings = _load_settings()
    migrate_legacy_qsettings(settings)
    return settings
