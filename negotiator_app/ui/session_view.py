"""All rooms of a session: one RoomPane per room, as tabs or as a grid, plus the items that got no room.

The shown room's pane is built in the loop turn after the page is painted, the others one per turn after it
(a tab stands in until then), so opening a ten-room session never stalls the window for long."""
from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication, QCheckBox, QGridLayout, QHBoxLayout, QLabel, QMessageBox, QPushButton, QScrollArea, QStackedWidget,
    QTabWidget, QVBoxLayout, QWidget,
)

from ..domain import RunState
from ..domain.rooms import SKIP_REASON_TEXT
from ..engine import InputError, SessionEngine
from . import icons
from .bridge import EngineBridge
from .next_turn import after_paint
from .room import RoomPane
from .room_panes import RoomPanes

GRID_PANE_MIN_WIDTH, GRID_PANE_MIN_HEIGHT = 420, 300


class SessionView(QWidget):
    operator_view_changed = Signal(bool)

    def __init__(self, engine: SessionEngine, bridge: EngineBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine, self.bridge = engine, bridge
        self.panes = RoomPanes(engine.rooms, self._build_pane)
        self._stand_ins: dict[str, QWidget] = {}  # room key -> the empty tab shown until its pane is built
        self._swapping = False
        self.start_all_button = QPushButton("Start all", self)
        self.start_all_button.setToolTip("Start every room that is not negotiating yet")
        self.start_all_button.clicked.connect(self.request_start_all)
        self.confirm_box: QMessageBox | None = None  # the open "run finished rooms again?" question
        self._grid_current: RoomPane | None = None  # in grid mode: the pane last used
        self.grid_toggle = QCheckBox("Show all rooms at once", self)
        self.grid_toggle.setToolTip("Grid of every room instead of tabs")
        self.grid_toggle.toggled.connect(self.set_grid_mode)
        self.operator_toggle = QCheckBox("Operator view", self)
        self.operator_toggle.setToolTip("Show the sellers' floors and the buyer's max (hidden from the agents)")
        self.operator_toggle.toggled.connect(self.set_operator_view)
        bar = QHBoxLayout()
        bar.addWidget(self.start_all_button)
        bar.addStretch(1)
        bar.addWidget(self.grid_toggle)
        bar.addWidget(self.operator_toggle)
        self.skipped_label = QLabel(self._skipped_text(), self)
        self.skipped_label.setWordWrap(True)
        self.skipped_label.setVisible(bool(engine.plan.skipped))
        self.tabs = QTabWidget(self)
        self.grid_host = QWidget(self)
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid_scroll = QScrollArea(self)  # ten rooms on a small screen scroll rather than squash
        self.grid_scroll.setWidgetResizable(True)
        self.grid_scroll.setWidget(self.grid_host)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.tabs)
        self.stack.addWidget(self.grid_scroll)
        if not self.panes:
            self.stack.addWidget(QLabel("No item on the shopping list can be negotiated: see above.", self))
            self.stack.setCurrentIndex(2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.skipped_label)
        layout.addWidget(self.stack, 1)
        self.grid_mode = False
        for key, runner in engine.rooms.items():
            stand_in = self._stand_ins[key] = QWidget()
            index = self.tabs.addTab(stand_in, icons.state_icon(RunState.IDLE), runner.plan.item.name)
            self.tabs.setTabToolTip(index, f"{runner.plan.item.name}: idle")
        self.tabs.currentChanged.connect(self._tab_shown)
        if self.panes:  # the shown room's first, once the page around it is painted; then one per loop turn
            after_paint(self, self._build_next)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def pane(self, room_key: str) -> RoomPane:
        return self.panes[room_key]

    def _build_pane(self, key: str) -> RoomPane:
        """Make a room's pane and put it in place of its stand-in tab, keeping the tab shown."""
        runner = self.engine.rooms[key]
        pane = RoomPane(runner, self.bridge)
        pane.shown_state_changed.connect(lambda _state: self._update_tab(pane))
        if self.operator_toggle.isChecked():
            pane.set_operator_view(True)
        stand_in = self._stand_ins.pop(key)
        index = self.tabs.indexOf(stand_in)
        was_current = self.tabs.currentIndex() == index
        self._swapping = True
        try:
            # Inserted before the stand-in, then the stand-in removed: no other tab is shown in between.
            self.tabs.insertTab(index, pane, runner.plan.item.name)
            if was_current:
                self.tabs.setCurrentIndex(index)
            self.tabs.removeTab(index + 1)
        finally:
            self._swapping = False
        stand_in.deleteLater()
        self._update_tab(pane)
        return pane

    def _build_next(self) -> None:
        """One more pane per loop turn, until all are built."""
        key = self.panes.next_unbuilt()
        if key is not None:
            self.panes[key]  # noqa: B018 - builds it
            after_paint(self, self._build_next)

    def _tab_shown(self, index: int) -> None:
        """A stand-in tab chosen before its pane was built: build it now."""
        widget = self.tabs.widget(index)
        key = next((k for k, w in self._stand_ins.items() if w is widget), None)
        if key is not None and not self._swapping:
            self.panes[key]  # noqa: B018 - builds it

    def start_all(self, keys: list[str] | None = None) -> list[str]:
        """Start every room (or those in `keys`) not negotiating yet; finished rooms run again. Returns
        the rooms started."""
        started = []
        for key, runner in self.engine.rooms.items():
            if runner.running or (keys is not None and key not in keys):
                continue
            self.panes[key]  # noqa: B018 - its pane must exist to show the run's events
            try:
                self.bridge.start_room(runner)
            except InputError:
                continue
            started.append(key)
        return started

    def request_start_all(self) -> QMessageBox | None:
        """Start all, as the button does: finished rooms are run again only when the person says so."""
        idle = [key for key, pane in self.panes.items() if not pane.runner.running]
        finished = [key for key in idle if self.panes[key].shown_state.finished]
        if not finished:
            self.start_all(idle)
            return None
        others = [key for key in idle if key not in finished]
        n = len(finished)
        text = f"{n} rooms already finished. Run them again?" if n != 1 else "1 room already finished. Run it again?"
        box = QMessageBox(QMessageBox.Icon.Question, "Start all", text, QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText("Running again starts a new run; the finished runs stay stored and can be viewed.")
        again = box.addButton("Run again", QMessageBox.ButtonRole.AcceptRole)
        only_others = (box.addButton(f"Start only the other {len(others)}", QMessageBox.ButtonRole.ActionRole)
                       if others else None)
        box.setDefaultButton(only_others or QMessageBox.StandardButton.Cancel)

        def answered(_result: int) -> None:
            if box.clickedButton() is again:
                self.start_all(idle)
            elif only_others is not None and box.clickedButton() is only_others:
                self.start_all(others)

        box.finished.connect(answered)
        self.confirm_box = box
        box.open()
        return box

    def select_room(self, index: int) -> None:
        """Ctrl+1…9 in the main window: show room `index` (0-based) and put the cursor in its composer."""
        keys = list(self.panes)
        if not 0 <= index < len(keys):
            return
        pane = self.panes[keys[index]]
        if not self.grid_mode:
            self.tabs.setCurrentIndex(index)
        self._grid_current = pane
        pane.composer.edit.setFocus()

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        """In the grid, the room last clicked or typed in is the current one (a menu's focus is not a room)."""
        pane = next((p for p in self.panes.built() if new is not None and p.isAncestorOf(new)), None)
        if pane is not None:
            self._grid_current = pane

    def current_pane(self) -> RoomPane | None:
        """The room the Room menu acts on: the shown tab, or in the grid the room last clicked or typed in."""
        if self.grid_mode:
            return self._grid_current or next(iter(self.panes.values()), None)
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, RoomPane) else None

    def set_operator_view(self, on: bool) -> None:
        if self.operator_toggle.isChecked() != on:
            self.operator_toggle.setChecked(on)  # re-enters through the toggled signal
            return
        for pane in self.panes.built():  # a pane built later takes the toggle's state
            pane.set_operator_view(on)
        self.operator_view_changed.emit(on)

    def set_grid_mode(self, on: bool) -> None:
        """A widget has one parent, so the panes move between the tab widget and the grid."""
        if self.grid_toggle.isChecked() != on:
            self.grid_toggle.setChecked(on)
            return
        self.grid_mode = on
        panes = list(self.panes.values())
        if on:
            current = self.tabs.currentIndex()
            while self.tabs.count():  # the last first: removing the shown tab would show (lay out) the next one
                self.tabs.removeTab(self.tabs.count() - 1)
            columns = max(1, math.ceil(math.sqrt(len(panes))))
            for i, pane in enumerate(panes):
                pane.set_compact(True)
                pane.setMinimumSize(GRID_PANE_MIN_WIDTH, GRID_PANE_MIN_HEIGHT)
                self.grid.addWidget(pane, i // columns, i % columns)
                pane.show_later()  # ten panes catching up before one paint would be one long stall
                pane.show()
            self.stack.setCurrentWidget(self.grid_scroll)
            self._last_tab = current
        else:
            for pane in panes:
                self.grid.removeWidget(pane)
                pane.set_compact(False)
                pane.setMinimumSize(0, 0)
                self.tabs.addTab(pane, pane.runner.plan.item.name)
                self._update_tab(pane)
            self.tabs.setCurrentIndex(max(0, getattr(self, "_last_tab", 0)))
            self.stack.setCurrentWidget(self.tabs)

    def _update_tab(self, pane: RoomPane) -> None:
        """The tab shows its room's state as a drawn icon: the live run's, or the stored latest run's."""
        index = self.tabs.indexOf(pane)
        if index >= 0:
            state = pane.shown_state
            self.tabs.setTabIcon(index, icons.state_icon(state))
            self.tabs.setTabToolTip(index, f"{pane.runner.plan.item.name}: {state.value.replace('_', ' ')}")

    def _skipped_text(self) -> str:
        lines = [f"<b>{s.item.name}</b> — not negotiated: {s.detail or SKIP_REASON_TEXT.get(s.reason, s.reason)}"
                 for s in self.engine.plan.skipped]
        return "<br>".join(lines)
