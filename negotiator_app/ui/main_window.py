"""The main window: sessions sidebar, a central stack (welcome, setup, rooms, summary), status bar."""
from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QMainWindow, QMessageBox, QPushButton, QSplitter, QStackedWidget, QVBoxLayout, QWidget,
)

from ..storage.async_store import AsyncStore
from ..storage.errors import StorageError
from .error_dialog import ErrorReporter
from .folders import open_folder
from .icons import app_icon, icon
from .main_actions import MainActions
from .owned_tasks import OwnedTasks
from .session_host import SessionHost
from .sidebar import SessionSidebar
from .status_bar import ConnectionLabel, ConnectionMonitor, url_fix
from .window_state import WindowState

if TYPE_CHECKING:  # the runtime, the store, the HTTP client and the domain's models load once the window is shown
    from ..domain import SessionConfig
    from ..llm import LLMClient, ServerStatus
    from ..runtime import ClientFactory
    from ..storage import Store, StoredSession, UserSettings
    from .settings_dialog import SettingsDialog
    from .setup import SessionSetupForm
    from .summary_view import SummaryView

log = logging.getLogger(__name__)
StatusClientFactory = Callable[[str, str | None], "LLMClient"]


class MainWindow(QMainWindow):
    closed = Signal()  # after a clean shutdown: rooms stopped, transcripts flushed

    def __init__(self, store: Store | AsyncStore, settings: UserSettings | Callable[[], UserSettings],
                 make_client: ClientFactory,
                 status_client: StatusClientFactory, reporter: ErrorReporter | None = None,
                 base_url_override: str | None = None, session_view_factory=None,
                 window_state: WindowState | None = None) -> None:
        super().__init__()
        # Every read and write the window needs, off the GUI thread. An AsyncStore still opening (app start)
        # holds the calls made meanwhile until the database is open.
        self.disk = store if isinstance(store, AsyncStore) else AsyncStore.of(store)
        # The settings (pydantic models) may come as a function that loads them: the app reads them off the GUI
        # thread after the first paint. Nothing here asks for them before start().
        self._settings = settings if callable(settings) else lambda: settings
        self.window_state = window_state or WindowState()
        self.make_client = make_client
        self.status_client = status_client
        self.reporter = reporter or ErrorReporter(None)
        self.reporter.parent_widget = self
        self.base_url_override = base_url_override
        self.tasks = OwnedTasks(self._task_failed)
        self._export_message = ""  # the status message an export left, while its Open folder button shows
        self.dialog: QWidget | None = None  # the open confirmation/info box (tests answer it)
        self.settings_dialog: SettingsDialog | None = None
        self._shutdown_done = False
        self._shutting_down = False
        self._opening: asyncio.Task | None = None  # the one task opening a session
        self._wanted_session = 0  # the session the opening task is to show (ids start at 1)
        self.setWindowTitle("Negotiator")
        self.setWindowIcon(app_icon())

        self.sidebar = SessionSidebar(self.disk)
        self.sidebar.import_folder = lambda: self.settings.exports_folder()  # imports are usually exported logs
        self._setup_form: SessionSetupForm | None = None  # the form and the summary are built on first use
        self._summary_view: SummaryView | None = None
        self.host = SessionHost(session_view_factory)
        self.welcome = self._build_welcome()
        self.stack = QStackedWidget()
        for page in (self.welcome, self.host):
            self.stack.addWidget(page)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.sidebar)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 1000])
        self.setCentralWidget(splitter)
        self.main_actions = MainActions(self)  # not `actions`: that would hide QWidget.actions()
        # After an export: where the file went, and a button that opens its folder while that is said.
        self.open_export_folder = QPushButton(icon("folder"), "Open folder")
        self.open_export_folder.setFlat(True)
        self.open_export_folder.setVisible(False)
        self.open_export_folder.clicked.connect(self._open_export_folder)
        self.statusBar().addPermanentWidget(self.open_export_folder)
        self.statusBar().messageChanged.connect(
            lambda text: self.open_export_folder.setVisible(bool(text) and text == self._export_message))
        self.connection = ConnectionLabel()
        self.connection.set_session("", True, url_fix(False, base_url_override is not None))
        self.statusBar().addPermanentWidget(self.connection)  # no stretch: temporary messages need room
        # Its server is set by start(), from the settings; no client is made before the first probe.
        self.monitor = ConnectionMonitor(status_client, base_url_override or "", None,
                                         quiet_while=self._server_busy_with_our_work)
        self.monitor.status_changed.connect(self.connection.show_status)

        self.sidebar.new_requested.connect(self.new_session)
        self.sidebar.open_requested.connect(self._open_chosen_session)
        self.sidebar.edit_requested.connect(self.edit_session)
        self.sidebar.session_deleted.connect(self._session_deleted)
        self.sidebar.session_renamed.connect(self._session_renamed)
        self.host.edit_requested.connect(self.edit_current_session)
        self.host.summary_requested.connect(self.show_summary)
        self.host.runs_stored.connect(lambda: self.sidebar.refresh())
        self.host.room_failed.connect(lambda line: self.statusBar().showMessage(line, 15000))
        self.host.storage_failed.connect(self._show_storage_error)
        self.host.storage_recovered.connect(
            lambda: self.statusBar().showMessage("The database takes writes again; the paused rooms continue.", 15000))
        self.resize(1280, 820)
        if (geometry := self.window_state.geometry()) is not None:
            self.restoreGeometry(geometry)
        if (state := self.window_state.window_state()) is not None:
            self.restoreState(state)
        self._show_page(self.welcome)

    # ----- start and pages ----------------------------------------------------------------------

    @property
    def settings(self) -> UserSettings:
        """The person's settings. The app loads them off the GUI thread once the window is shown; asked for
        sooner (a click in the first moment) they are loaded here, or this waits for that load to finish."""
        return self._settings()

    @property
    def setup_form(self) -> SessionSetupForm:
        """The session form, built when first shown: its models and widgets are not needed for the first paint."""
        if self._setup_form is None:
            from .setup import SessionSetupForm

            self._setup_form = form = SessionSetupForm(self._probe)
            form.submitted.connect(self._setup_submitted)
            form.cancelled.connect(self._setup_cancelled)
            self.stack.addWidget(form)
        return self._setup_form

    @property
    def summary_view(self) -> SummaryView:
        """The summary page, built when first used."""
        if self._summary_view is None:
            from .summary_view import SummaryView

            self._summary_view = view = SummaryView(make_client=self.make_client, spawn=self.spawn,
                                                    export_folder=lambda: self.settings.exports_folder())
            view.back_requested.connect(self.show_session_page)
            view.exported.connect(self._exported)
            self.stack.addWidget(view)
        return self._summary_view

    @property
    def store(self) -> Store | None:
        """The open store; None while the database is still being opened at start."""
        return self.disk.store if self.disk.is_open else None

    def start(self) -> None:
        """Begin polling the server and reopen the last session; call once the qasync loop runs (the app calls it
        once the settings are loaded)."""
        default = self.settings.default_llm()
        self.monitor.set_server(self.base_url_override or default.base_url, default.api_key)
        self.monitor.start()
        self.spawn(self._reopen_last_session())

    async def _reopen_last_session(self) -> None:
        await self.sidebar.loaded  # the list is read off the GUI thread
        last = self.window_state.last_session_id()
        match = next((sid for sid in self.sidebar.session_ids() if str(sid) == last), None)
        if match is not None and self.host.runtime is None:
            self.open_session(match)

    def _build_welcome(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(96, 96))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel("<h2>Negotiator</h2><p>A buyer AI negotiates with up to ten seller AIs on your own "
                      "LM Studio server,<br>one chat room per shopping item.</p>"
                      "<p>Create a session, or open one from the list on the left.</p>")
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        new = QPushButton(icon("new"), "New session")
        example = QPushButton(icon("import"), "Start from an example")
        new.clicked.connect(self.new_session)
        example.clicked.connect(self._new_from_example)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(new)
        buttons.addWidget(example)
        buttons.addStretch(1)
        for widget in (logo, text):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addStretch(2)
        return page

    def _show_page(self, page: QWidget) -> None:
        self.stack.setCurrentWidget(page)
        rooms = self.host.runtime.engine.rooms if self.host.runtime is not None else {}
        self.main_actions.update(self.host.runtime is not None, [r.plan.item.name for r in rooms.values()])
        name = self.host.runtime.name if self.host.runtime else None
        self.setWindowTitle(f"{name} — Negotiator" if name else "Negotiator")

    def show_session_page(self) -> None:
        if self.host.runtime is not None:
            self._show_page(self.host)

    def show_summary(self) -> asyncio.Task | None:
        """Show the summary page; its figures arrive when the returned task (the read) is done."""
        if self.host.runtime is None:
            return None
        task = self.summary_view.show_session(self.disk, self.host.runtime.session_id)
        self._show_page(self.summary_view)
        return task

    def show_experiments(self) -> None:
        """The Experiments page, built on first use and kept in the central stack."""
        from .experiments import ExperimentsPage

        if self.store is None:  # the first second after start
            self.statusBar().showMessage("The database is still opening; try again in a moment.", 5000)
            return
        if getattr(self, "experiments_page", None) is None:
            self.experiments_page = ExperimentsPage(self.store, self.make_client, spawn=self.spawn,
                                                    export_folder=self.settings.exports_folder)
            self.experiments_page.open_session_requested.connect(self.open_session)  # an arm's runs
            self.stack.addWidget(self.experiments_page)
        self.experiments_page.refresh()  # experiments may have been added from the command line meanwhile
        self._show_page(self.experiments_page)

    def select_room(self, index: int) -> None:
        self.host.select_room(index)
        if self.host.runtime is not None and self.stack.currentWidget() is not self.host:
            self._show_page(self.host)

    # ----- sessions -----------------------------------------------------------------------------

    def _leave_form_then(self, proceed: Callable[[], object], on_keep: Callable[[], object] | None = None, *,
                         refills_form: bool = False) -> None:
        """Run `proceed` now, or, if it would lose the setup form's unsaved edits, after the person agrees. Leaving
        the shown form for another page loses them (it is refilled when next opened); so does refilling it
        (`refills_form`: New session, an example, Edit) from any page. Keeping them shows the form again."""
        form = self._setup_form  # not built yet: nothing to lose
        shown = form is not None and self.stack.currentWidget() is form
        if form is None or not (shown or refills_form) or not form.has_edits():
            proceed()
            return
        if isinstance(self.dialog, QMessageBox) and self.dialog.isVisible() and self.dialog.property("leave_form"):
            self.dialog.reject()  # a newer request (a double-click's second click) replaces the question still open
        from .setup.confirm import ask_before_discarding

        def discard() -> None:
            form.mark_saved()  # the person chose to lose them: they are not asked about again
            proceed()

        box = ask_before_discarding(self, "Discard your changes?",
                                    "The session form has changes that are not saved. Discard them?",
                                    "Discard changes", discard)
        box.setProperty("leave_form", True)
        # It deletes itself once answered: a later question must not ask the deleted one whether it is visible.
        box.destroyed.connect(lambda: setattr(self, "dialog", None) if self.dialog is box else None)

        def kept() -> None:  # Keep editing, Escape or the close button
            if not shown:
                self._show_page(form)
            if on_keep is not None:
                on_keep()
        box.finished.connect(lambda _code: kept() if box.buttonRole(box.clickedButton())
                             != QMessageBox.ButtonRole.DestructiveRole else None)
        self.dialog = box

    def new_session(self) -> None:
        self._leave_form_then(self._new_session_now, refills_form=True)

    def _new_session_now(self) -> None:
        defaults = self.settings.default_llm()  # first: a click in the first moment waits for the settings' load
        self.setup_form.reset(defaults)
        self._show_page(self.setup_form)
        self.setup_form.session_name.setFocus()

    def _new_from_example(self) -> None:
        self._leave_form_then(self._new_from_example_now, refills_form=True)

    def _new_from_example_now(self) -> None:
        from .setup import example_scenarios

        self._new_session_now()
        examples = example_scenarios()
        if examples:
            self.setup_form.load_example(examples[0])

    def _open_chosen_session(self, session_id: int) -> None:
        """The sidebar's double-click or Enter: leaving an edited form asks first."""
        self._leave_form_then(lambda: self.open_session(session_id), on_keep=self._select_shown_session)

    def _setup_submitted(self, config: SessionConfig) -> None:
        if config.llm.api_key and not self.settings.default_llm().api_key:
            from ..storage.credentials import api_keys

            api_keys.remember(config.llm.api_key)  # the database never holds it: keep it for this run only
        self.spawn(self._save_setup(self.setup_form.editing_session_id, config))

    async def _save_setup(self, sid: int | None, config: SessionConfig) -> None:
        try:
            if sid is None:
                sid = (await self.disk.create_session(config)).id
            else:
                await self.disk.update_session(sid, config)
        except StorageError as exc:
            self._show_storage_error(exc.user_message)
            return
        self.setup_form.mark_saved()  # nothing in it is lost any more
        await self.sidebar.refresh(select=sid)
        self.open_session(sid, force_reopen=True)

    def _setup_cancelled(self) -> None:
        self.setup_form.mark_saved()  # the person chose to leave it: its edits are not asked about again
        self._show_page(self.host if self.host.runtime else self.welcome)

    def open_session(self, session_id: int, force_reopen: bool = False) -> asyncio.Task | None:
        """Show a stored session. Idempotent and serialised: asking again for the session being opened
        changes nothing, asking for another one while one opens replaces it; there is only ever one view."""
        opening = self._opening is not None and not self._opening.done()
        if opening and not force_reopen:
            self._wanted_session = session_id  # the opening task picks the newest wish up
            return self._opening
        current = self.host.runtime
        if current is not None and current.session_id == session_id and not force_reopen:
            self.sidebar.select(session_id)
            self._show_page(self.host)
            return None
        started = self._confirm_stop_then(lambda: self._request_open(session_id), "Switch session",
                                          "Rooms are still negotiating. Stop them and open the other session?",
                                          "Stop and switch", on_cancel=self._select_shown_session)
        return started

    def _request_open(self, session_id: int) -> asyncio.Task:
        self._wanted_session = session_id
        if self._opening is None or self._opening.done():
            self._opening = self.spawn(self._open_wanted())
        return self._opening

    async def _open_wanted(self) -> None:
        try:
            while True:
                session_id = self._wanted_session
                await self.host.close_session()
                if self._wanted_session != session_id:
                    continue  # another session was asked for while this one closed: open that one instead
                stored = await self.disk.get_session(session_id)
                if self._wanted_session != session_id:
                    continue  # another session was asked for while this one was read
                self._open(session_id, stored)
                if self.host.history_loaded is not None:  # shown once its runs are; a failure is reported apart
                    await asyncio.wait([self.host.history_loaded])
                return
        finally:
            self._opening = None
            self._select_shown_session()

    def _open(self, session_id: int, stored: StoredSession) -> None:
        from ..runtime import SessionRuntime

        assert self.store is not None  # the session was just read from it
        runtime = SessionRuntime(self.store, session_id, self.make_client, stored=stored)
        self.host.open(runtime)
        self.window_state.set_last_session_id(session_id)
        llm = runtime.config.llm
        self.connection.set_session(llm.model, runtime.config.needs_server,
                                    url_fix(True, self.base_url_override is not None))
        self.monitor.set_server(self.base_url_override or llm.base_url, llm.api_key or self.settings.default_llm().api_key)
        # While rooms run the monitor does not probe: what their own requests meet keeps the status true.
        if self.host.bridge is not None:
            self.host.bridge.server_contact.connect(lambda reachable: self.monitor.report_contact(reachable, llm.model))
        self._show_page(self.host)

    def _select_shown_session(self) -> None:
        """The sidebar's selection follows the shown session, also when opening failed or was cancelled."""
        self.sidebar.select(self.host.runtime.session_id if self.host.runtime is not None else None)

    def edit_session(self, session_id: int) -> asyncio.Task:
        """The task's result is the Edit-a-copy question when one was asked, else None."""
        return self.spawn(self._edit_session(session_id))

    async def _edit_session(self, session_id: int) -> QMessageBox | None:
        """Edit in place while the session has no runs; otherwise, once the person agrees, edit a copy, so the
        stored runs keep the configuration they ran with. Cancel leaves nothing behind."""
        summary = await self.disk.session_summary(session_id)
        if not summary.run_count:
            await self._edit(summary.id)
            return None
        runs = f"{summary.run_count} run{'s' if summary.run_count != 1 else ''}"
        box = QMessageBox(QMessageBox.Icon.Question, "Edit session",
                          "This session has runs. Edit a copy?", QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText(f"“{summary.name}” keeps its {runs} and the settings they ran with; "
                               "your changes go into a new session.")
        copy_button = box.addButton("Edit a copy", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(copy_button)
        box.finished.connect(
            lambda _r: self.spawn(self._edit_copy(session_id)) if box.clickedButton() is copy_button else None)
        self.dialog = box
        box.open()
        return box

    async def _edit_copy(self, session_id: int) -> None:
        """The form holds a copy that is stored only when Create is pressed: a cancelled edit leaves nothing."""
        config = (await self.disk.get_session(session_id)).config
        name = f"{config.name[:93]} (copy)"

        def fill() -> None:
            self.setup_form.set_config(config.model_copy(update={"name": name}), session_id=None,
                                       defaults=self.settings.default_llm())
            self._show_page(self.setup_form)
            self.statusBar().showMessage(f"Editing a copy of “{config.name}”: it is saved as a new session "
                                         "when you press Create session.", 15000)
        self._leave_form_then(fill, refills_form=True)

    async def _edit(self, session_id: int) -> None:
        stored = await self.disk.get_session(session_id)

        def fill() -> None:
            self.setup_form.set_config(stored.config, session_id=session_id, defaults=self.settings.default_llm())
            self._show_page(self.setup_form)
        self._leave_form_then(fill, refills_form=True)

    def edit_current_session(self) -> asyncio.Task | None:
        return self.edit_session(self.host.runtime.session_id) if self.host.runtime else None

    def duplicate_current_session(self) -> None:
        if self.host.runtime:
            self.sidebar.duplicate(self.host.runtime.session_id)

    def rename_current_session(self) -> None:
        if self.host.runtime:
            self.sidebar.rename(self.host.runtime.session_id)

    def delete_current_session(self) -> None:
        if self.host.runtime:
            self.sidebar.confirm_delete(self.host.runtime.session_id)

    def _session_renamed(self, session_id: int, name: str) -> None:
        if self.host.runtime is not None and self.host.runtime.session_id == session_id:
            self.host.show_name(name)
            self._show_page(self.stack.currentWidget() or self.host)  # the window title follows

    def _session_deleted(self, session_id: int) -> None:
        if self.host.runtime is not None and self.host.runtime.session_id == session_id:
            self.connection.set_session("", True, url_fix(False, self.base_url_override is not None))
            self.spawn(self.host.close_session())
            self.window_state.set_last_session_id(None)
            self._show_page(self.welcome)

    def export_session(self) -> None:
        if self.host.runtime:
            self.spawn(self._export_after_loading(self.summary_view.json_button))

    def export_markdown(self) -> None:
        if self.host.runtime:
            self.spawn(self._export_after_loading(self.summary_view.markdown_button))

    async def _export_after_loading(self, button) -> None:
        if self.host.runtime is not None:
            await self.summary_view.show_session(self.disk, self.host.runtime.session_id)
            button.click()

    def _exported(self, path: Path) -> None:
        self._export_message = f"Exported to {path}"
        self.statusBar().showMessage(self._export_message, 20000)
        self.open_export_folder.setToolTip(f"Open {path.parent}")
        self.open_export_folder.setProperty("folder", str(path.parent))

    def _open_export_folder(self) -> None:
        box = open_folder(Path(self.open_export_folder.property("folder")), self, "The export folder")
        if box is not None:
            self.dialog = box

    # ----- settings, about, messages -------------------------------------------------------------

    async def _probe(self, base_url: str, api_key: str | None) -> ServerStatus:
        async with self.status_client(base_url or "http://localhost:1234/v1", api_key) as client:
            return await client.status()

    def open_settings(self) -> None:
        from .settings_dialog import SettingsDialog

        self.settings_dialog = dialog = SettingsDialog(self.settings, self._probe, self)
        dialog.saved.connect(self._settings_saved)
        dialog.open()

    def _settings_saved(self, settings) -> None:
        if self.host.runtime is None:  # an open session keeps watching its own server
            self.monitor.set_server(self.base_url_override or settings.llm.base_url, settings.default_llm().api_key)

    def show_about(self) -> None:
        from .. import __version__

        self.inform("About Negotiator", f"Negotiator {__version__}\nAI buyer and seller agents negotiating on a "
                    "local LM Studio server.")

    def inform(self, title: str, text: str, kind=QMessageBox.Icon.Information) -> QMessageBox:
        box = QMessageBox(kind, title, text, QMessageBox.StandardButton.Ok, self)
        self.dialog = box
        box.open()
        return box

    def notify_recovered_database(self, moved_to) -> QMessageBox:
        return self.inform("Database recovered",
                           f"The session database could not be read, so a new, empty one was created.\n\n"
                           f"The old file was moved to:\n{moved_to}\n\nKeep it if you want to try to recover it.",
                           QMessageBox.Icon.Warning)

    def _show_storage_error(self, message: str) -> None:
        message += ("\n\nRunning rooms are paused so that nothing is said that cannot be stored; everything "
                    "stored so far is safe. They continue by themselves once the disk can be written again.")
        self.statusBar().showMessage(message.split("\n")[0], 15000)
        if not isinstance(self.dialog, QMessageBox) or not self.dialog.isVisible():
            self.inform("Storage problem", message, QMessageBox.Icon.Warning)

    def _server_busy_with_our_work(self) -> bool:
        """Rooms or an experiment are talking to the server: their requests show its health, and a probe would
        only compete with them for its slot (a one-slot server makes the probe time out, shown as a fault)."""
        page = getattr(self, "experiments_page", None)
        return bool(self.host.running_rooms()) or (page is not None and page.running)

    # ----- tasks and shutdown --------------------------------------------------------------------

    def spawn(self, coro) -> asyncio.Task:
        """Run a coroutine owned by the window: kept until done, errors reported, cancelled at shutdown."""
        return self.tasks.spawn(coro)

    def _task_failed(self, exc: BaseException) -> None:
        self.reporter.report(exc, "".join(traceback.format_exception(exc)))

    def _confirm_stop_then(self, proceed: Callable[[], object], title: str, text: str, verb: str,
                           on_cancel: Callable[[], object] | None = None):
        if not self.host.running_rooms():
            return proceed()
        if isinstance(self.dialog, QMessageBox) and self.dialog.isVisible() and self.dialog.property("confirm_stop"):
            self.dialog.finished.disconnect()
            self.dialog.reject()  # a newer request replaces the question still open
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Cancel, self)
        box.setProperty("confirm_stop", True)
        box.setInformativeText("What was said so far is kept; a stopped run can be resumed later.")
        accept = box.addButton(verb, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(accept)
        box.finished.connect(lambda _result: proceed() if box.clickedButton() is accept
                             else on_cancel() if on_cancel is not None else None)
        self.dialog = box
        box.open()  # never exec(): it would nest an event loop inside the running qasync loop
        return None

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self._shutdown_done:
            self.window_state.set_geometry(self.saveGeometry())
            self.window_state.set_window_state(self.saveState())
            self.window_state.sync()
            event.accept()
            self.closed.emit()
            return
        event.ignore()
        if not self._shutting_down:
            self._confirm_stop_then(lambda: self.spawn(self._shutdown_and_close()), "Quit Negotiator",
                                    "Rooms are still negotiating. Stop them and quit?", "Stop and quit")

    async def _shutdown_and_close(self) -> None:
        self._shutting_down = True
        await self.shutdown()
        self._shutdown_done = True
        QTimer.singleShot(0, self.close)

    async def shutdown(self) -> None:
        """Stop every room and wait for their transcripts to be stored, then stop polling the server."""
        await self.host.close_session()
        await self.monitor.stop()
        await self.tasks.cancel_all()
        await self.sidebar.close_tasks()
        for panel in (getattr(self._setup_form, "llm", None), getattr(self.settings_dialog, "panel", None)):
            refresh = getattr(panel, "refresh_task", None)
            if refresh is not None and not refresh.done():
                refresh.cancel()
                await asyncio.gather(refresh, return_exceptions=True)
