"""Sidebar lines show whole session names at the window's default width (wrapped, never cut)."""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QStyle

from tests.ui.window_support import example


def test_long_session_names_wrap_in_the_sidebar_at_the_default_width(kit, qtbot):
    store = kit.store()
    for name in ("office_supplies", "electronics_market", "skipped_items"):
        store.create_session(example(name))

    async def scenario():
        window = kit.window(store=store)
        window.show()
        qtbot.waitExposed(window)
        await window.sidebar.loaded
        lst = window.sidebar.list
        qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualItemRect(lst.item(0)).center())
        window.sidebar.grab().save("/tmp/forms_sidebar_window.png")
        margin = lst.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, lst) + 1
        metrics = lst.fontMetrics()
        too_long = 0
        for i in range(lst.count()):
            item = lst.item(i)
            rect = lst.visualItemRect(item)
            text_width = rect.width() - lst.iconSize().width() - 4 * margin
            needed = metrics.boundingRect(QRect(0, 0, text_width, 10_000), Qt.TextFlag.TextWordWrap, item.text())
            assert needed.height() <= rect.height(), f"{item.text()!r} is cut at {rect.width()} px"
            too_long += metrics.horizontalAdvance(item.text().splitlines()[0]) > text_width
        assert too_long >= 2  # the names really are longer than one line at this width

    kit.run(scenario())
