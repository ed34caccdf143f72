"""Session names in the window: F2 renames what is shown; long names are elided, never widen the window."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit

from tests.ui.conftest import until
from tests.ui.ten_sellers_support import ten_seller_config
from tests.ui.window_support import example


def test_f2_renames_the_open_session_in_header_title_and_sidebar(kit, qtbot):
    store = kit.store()
    sid = store.create_session(example("office_supplies")).id
    new_name = "Office supplies for the spring term, second try"

    async def scenario():
        window = kit.window(store=store)
        window.show()
        await window.open_session(sid)
        window.activateWindow()
        qtbot.keyClick(window.host.view, Qt.Key.Key_F2)
        dialog = window.sidebar.dialog
        assert isinstance(dialog, QInputDialog) and dialog.isVisible()
        edit = dialog.findChild(QLineEdit)
        await until(lambda: dialog.width() >= 400, timeout=2, what=f"a dialog wide enough (is {dialog.width()})")
        edit.selectAll()
        qtbot.keyClicks(edit, new_name)
        assert edit.fontMetrics().horizontalAdvance(new_name) < edit.contentsRect().width()  # all of it shows
        qtbot.keyClick(edit, Qt.Key.Key_Return)
        await until(lambda: not dialog.isVisible(), what="the dialog to close")
        await until(lambda: window.host.title.full_text() == new_name, what="the rename stored and shown")
        assert store.get_session(sid).name == new_name
        assert window.host.title.full_text() == new_name
        assert window.windowTitle() == f"{new_name} — Negotiator"
        assert window.sidebar.names() == [new_name]

    kit.run(scenario())


def test_a_long_name_with_ten_sellers_fits_1024_by_700(kit, qtbot):
    store = kit.store()
    name = "A very long session name that goes on and on for sixty chars"[:60]
    assert len(name) == 60
    config = ten_seller_config().model_copy(update={"name": name})
    sid = store.create_session(config).id

    async def scenario():
        window = kit.window(store=store)
        window.show()
        await window.open_session(sid)
        window.resize(1024, 700)
        hint = window.minimumSizeHint()
        await until(lambda: window.width() == 1024 and window.height() == 700, timeout=2,
                    what=f"the resize (minimum size hint {hint.width()}×{hint.height()})")
        assert hint.width() <= 1024 and hint.height() <= 700
        assert window.minimumSize().width() <= 1024
        assert window.host.title.toolTip() == name and window.host.title.text() != name  # elided, all in the tip
        pane = window.host.view.current_pane()
        inside = window.rect()
        for widget in (pane.composer, *pane.controls.buttons.values(), window.host.edit_button,
                       window.host.summary_button, window.host.view.start_all_button):
            top_left = widget.mapTo(window, widget.rect().topLeft())
            bottom_right = widget.mapTo(window, widget.rect().bottomRight())
            assert widget.isVisible(), widget
            assert inside.contains(top_left) and inside.contains(bottom_right), (widget, top_left, bottom_right)

    kit.run(scenario())
