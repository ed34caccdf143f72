"""Keyboard habits in the composer: Enter or Tab in the @mention popup inserts the highlighted name (and sends
nothing); Tab elsewhere moves the focus on instead of typing a tab character."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from negotiator_app.ui.room.composer import Composer


def _composer(qtbot) -> tuple[QWidget, Composer, list[str]]:
    window = QWidget()
    qtbot.addWidget(window)
    composer = Composer(window)
    composer.set_sellers(["Bolt", "Acme Supplies"])
    layout = QVBoxLayout(window)
    layout.addWidget(composer)
    layout.addWidget(QLineEdit(window))
    sent: list[str] = []
    composer.send_requested.connect(sent.append)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    composer.edit.setFocus()
    qtbot.waitUntil(composer.edit.hasFocus)
    return window, composer, sent


def test_enter_in_the_mention_popup_inserts_the_highlighted_name(qtbot):
    _window, composer, sent = _composer(qtbot)
    popup = composer.edit.completer.popup()
    qtbot.keyClicks(composer.edit, "hi @")
    assert popup.isVisible()
    # While the popup is open, the keyboard goes to it (it is the active popup), as in a real window.
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert composer.text() == "hi @Bolt " and not popup.isVisible()
    assert sent == [], "Enter in the popup picks a name; it does not send"
    qtbot.keyClicks(composer.edit, "and @a")
    assert popup.isVisible()
    qtbot.keyClick(popup, Qt.Key.Key_Enter)
    assert composer.text() == "hi @Bolt and @Acme Supplies " and sent == []
    qtbot.keyClick(composer.edit, Qt.Key.Key_Return)  # no popup: Enter sends
    assert sent == ["hi @Bolt and @Acme Supplies "]


def test_arrow_then_tab_in_the_popup_inserts_that_name(qtbot):
    _window, composer, sent = _composer(qtbot)
    popup = composer.edit.completer.popup()
    qtbot.keyClicks(composer.edit, "@")
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Tab)
    assert composer.text() == "@Acme Supplies " and composer.edit.hasFocus() and sent == []


def test_tab_moves_the_focus_on_instead_of_typing_a_tab(qtbot):
    _window, composer, _sent = _composer(qtbot)
    qtbot.keyClicks(composer.edit, "hello")
    qtbot.keyClick(composer.edit, Qt.Key.Key_Tab)
    assert composer.text() == "hello"
    assert composer.send_button.hasFocus()
    qtbot.keyClick(composer.send_button, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert composer.edit.hasFocus()
