"""The Room menu: each room control of the current room (the shown tab, or the grid room last used) with a
shortcut, acting through the room's own buttons so the same enabling rules apply; and Go to room."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

# (button name, menu text, shortcut); the buttons live in RoomControls.
ROOM_COMMANDS = (
    ("start", "&Start", "F5"),
    ("pause", "&Pause / continue", "Ctrl+P"),
    ("stop", "S&top", "Ctrl+."),
    ("force", "&Force decision…", "Ctrl+D"),
    ("again", "Run &again", "Ctrl+R"),
    ("resume", "&Resume interrupted", "Ctrl+Shift+R"),
)
ROOM_SHORTCUT_COUNT = 9


class RoomMenu:
    """Owns the Room menu's actions; `view()` gives the open SessionView (or None)."""

    def __init__(self, window: QWidget, bar: QMenuBar, view: Callable[[], QWidget | None],
                 tell: Callable[[str], None], select_room: Callable[[int], None]) -> None:
        self.view, self.tell = view, tell
        self.menu: QMenu = bar.addMenu("&Room")
        # While open, the menu shows which controls apply; closed, every shortcut stays live so that one
        # that does not apply says why instead of doing nothing.
        self.menu.aboutToShow.connect(self.sync)
        self.menu.aboutToHide.connect(lambda: self.set_rooms(self._names))
        self.commands: dict[str, QAction] = {}
        for name, text, shortcut in ROOM_COMMANDS:
            action = QAction(text, window)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _checked=False, name=name: self.press(name))
            self.menu.addAction(action)
            window.addAction(action)
            self.commands[name] = action
        self.person = QAction("Buyer played by a &person", window)
        self.person.setCheckable(True)
        self.person.setShortcut(QKeySequence("Ctrl+B"))
        self.person.setToolTip("AI or Person: who speaks for the buyer in this room")
        self.person.triggered.connect(self.set_person)
        window.addAction(self.person)
        self.menu.addSeparator()
        self.menu.addAction(self.person)
        self.start_all = QAction("Start a&ll rooms", window)
        self.start_all.setShortcut(QKeySequence("Ctrl+Shift+F5"))
        self.start_all.triggered.connect(self.press_start_all)
        window.addAction(self.start_all)
        self.menu.addAction(self.start_all)
        self.menu.addSeparator()
        self.go_to = self.menu.addMenu("&Go to room")
        self.rooms: list[QAction] = []
        for i in range(ROOM_SHORTCUT_COUNT):
            action = QAction(f"Room {i + 1}", window)
            action.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            action.triggered.connect(lambda _checked=False, i=i: select_room(i))
            window.addAction(action)
            self.go_to.addAction(action)
            self.rooms.append(action)
        self.set_rooms([])

    def all_actions(self) -> list[QAction]:
        return [*self.commands.values(), self.person, self.start_all]

    def set_rooms(self, names: list[str]) -> None:
        """Go to room lists the open session's rooms by item name; Ctrl+1…9 reach the first nine."""
        self._names = list(names)
        for i, action in enumerate(self.rooms):
            exists = i < len(names)
            action.setText(f"&{i + 1}  {names[i]}" if exists else f"Room {i + 1}")
            action.setVisible(exists)
            action.setEnabled(exists)
        for action in self.all_actions():
            action.setEnabled(bool(names))
        self.go_to.setEnabled(bool(names))

    def _pane(self):
        current_pane = getattr(self.view(), "current_pane", None)  # a SessionView (tests may host other views)
        return current_pane() if current_pane is not None else None

    def sync(self) -> None:
        """Before the menu shows: each entry enabled as its button is, the person mark as the room's mode."""
        pane = self._pane()
        for name, action in self.commands.items():
            button = pane.controls.buttons[name] if pane is not None else None
            action.setEnabled(button is not None and button.isEnabled())
            action.setToolTip(button.toolTip() if button is not None else "")
        self.person.setEnabled(pane is not None)
        self.person.setChecked(pane is not None and pane.controls.mode_person.isChecked())

    def press(self, name: str) -> None:
        pane = self._pane()
        if pane is None:
            return
        button = pane.controls.buttons[name]
        if button.isEnabled():
            button.click()
        else:  # a shortcut on a control that does not apply now: say why instead of doing nothing
            self.tell(f"{pane.runner.plan.item.name}: {button.toolTip()}")

    def set_person(self, on: bool) -> None:
        pane = self._pane()
        if pane is not None:
            (pane.controls.mode_person if on else pane.controls.mode_ai).click()

    def press_start_all(self) -> None:
        request = getattr(self.view(), "request_start_all", None)
        if request is not None:
            request()
