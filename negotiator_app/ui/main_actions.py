"""Menus, toolbar and shortcuts of the main window, built in one place so they stay consistent."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QToolBar

from .icons import icon
from .room_menu import RoomMenu

if TYPE_CHECKING:
    from .main_window import MainWindow


class MainActions:
    """Every QAction of the window; `update(...)` enables what makes sense for the current page."""

    def __init__(self, w: MainWindow) -> None:
        def act(text: str, slot, shortcut=None, icon_name: str | None = None, tip: str = "") -> QAction:
            action = QAction(icon(icon_name) if icon_name else QIcon(), text, w)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setToolTip(f"{tip or text} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
                              if shortcut is not None else (tip or text))
            action.triggered.connect(lambda _checked=False: slot())
            return action

        self.new_session = act("&New session…", w.new_session, QKeySequence.StandardKey.New, "new")
        self.import_session = act("&Import…", w.sidebar.choose_import_file, "Ctrl+I", "import",
                                  "Import a session or scenario file")
        self.export_json = act("&Export session log (JSON)…", w.export_session, "Ctrl+E", "export")
        self.export_markdown = act("Export &transcripts (Markdown)…", w.export_markdown, None, "export")
        self.open_data_folder = act("Open &data folder", lambda: w.summary_view.open_data_folder(), None, "folder")
        self.quit = act("&Quit", w.close, QKeySequence.StandardKey.Quit)
        self.edit_session = act("&Edit session…", w.edit_current_session, None, "edit",
                                "Edit the session (a copy, once it has runs)")
        self.duplicate_session = act("&Duplicate session", w.duplicate_current_session, None, "duplicate")
        self.rename_session = act("&Rename session…", w.rename_current_session, "F2")
        self.delete_session = act("De&lete session…", w.delete_current_session, None, "delete")
        self.show_rooms = act("&Rooms", w.show_session_page, None, "rooms", "Show the negotiation rooms")
        self.show_summary = act("&Summary", w.show_summary, "Ctrl+Shift+S", "summary", "Outcomes, savings and charts")
        self.experiments = act("E&xperiments…", w.show_experiments, None, "summary",
                               "Run a scenario many times across configurations and compare them")
        self.settings = act("&Settings…", w.open_settings, QKeySequence.StandardKey.Preferences)
        self.about = act("&About Negotiator", w.show_about)
        bar = w.menuBar()
        file_menu = bar.addMenu("&File")
        for a in (self.new_session, self.import_session, None, self.export_json, self.export_markdown,
                  self.open_data_folder, None, self.experiments, None, self.quit):
            file_menu.addSeparator() if a is None else file_menu.addAction(a)
        session_menu = bar.addMenu("&Session")
        for a in (self.edit_session, self.duplicate_session, self.rename_session, self.delete_session, None,
                  self.show_rooms, self.show_summary):
            session_menu.addSeparator() if a is None else session_menu.addAction(a)
        self.room_menu = RoomMenu(w, bar, lambda: w.host.view, lambda text: w.statusBar().showMessage(text, 8000),
                                  w.select_room)
        self.room_shortcuts = self.room_menu.rooms
        bar.addMenu("Se&ttings").addAction(self.settings)
        bar.addMenu("&Help").addAction(self.about)

        self.toolbar = QToolBar("Main toolbar")
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setIconSize(QSize(20, 20))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.new_session, self.import_session, None, self.edit_session, self.duplicate_session, None,
                  self.show_rooms, self.show_summary, self.export_json, None, self.experiments):
            self.toolbar.addSeparator() if a is None else self.toolbar.addAction(a)
        w.addToolBar(self.toolbar)

    def update(self, has_session: bool, rooms: list[str] | None = None) -> None:
        for a in (self.export_json, self.export_markdown, self.edit_session, self.duplicate_session,
                  self.rename_session, self.delete_session, self.show_rooms, self.show_summary):
            a.setEnabled(has_session)
        self.room_menu.set_rooms(rooms or [])
