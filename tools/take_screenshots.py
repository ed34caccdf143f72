"""Takes the README's screenshots from the app at 1280 × 800 against the fake LM Studio (tests/fakes).

    uv run python tools/take_screenshots.py            # writes resources/screenshots/*.png

Offscreen by default (QT_QPA_PLATFORM=offscreen), so it runs without a display; the pictures are the
widgets' own rendering, a dialog drawn onto the window where it opens.
"""
from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtGui import QPainter, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from negotiator_app.app import install_asyncgen_hooks, status_client_factory  # noqa: E402
from negotiator_app.domain import SessionConfig, load_scenario  # noqa: E402
from negotiator_app.paths import resource_path  # noqa: E402
from negotiator_app.runtime import client_factory  # noqa: E402
from negotiator_app.storage import Store  # noqa: E402
from negotiator_app.storage.settings import load_settings  # noqa: E402
from negotiator_app.ui.main_window import MainWindow  # noqa: E402
from negotiator_app.ui.window_state import WindowState  # noqa: E402
from tests.fakes.fake_lmstudio import FakeLMStudio  # noqa: E402
from tests.experiments.support import market  # noqa: E402
from tests.ui.experiments_support import varied_responder  # noqa: E402
from tests.ui.window_support import dealing_responder  # noqa: E402

OUT = ROOT / "resources" / "screenshots"
SIZE = (1280, 800)


async def until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {predicate}")
        await asyncio.sleep(0.02)


def save(window: QWidget, name: str, dialog: QWidget | None = None) -> Path:
    picture: QPixmap = window.grab()
    if dialog is not None:  # a top-level dialog is not part of the window's own rendering: draw it where it is
        painter = QPainter(picture)
        offset = dialog.mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0))
        if not picture.rect().contains(offset):  # offscreen places dialogs at 0,0: centre it as a WM would
            offset = QPoint((picture.width() - dialog.width()) // 2, (picture.height() - dialog.height()) // 3)
        painter.drawPixmap(offset, dialog.grab())
        painter.setPen(window.palette().color(window.palette().ColorRole.Dark))
        painter.drawRect(offset.x(), offset.y(), dialog.width() - 1, dialog.height() - 1)  # the frame a WM draws
        painter.end()
    path = OUT / f"{name}.png"
    if not picture.save(str(path)):
        raise OSError(f"could not write {path}")
    print(f"{path.relative_to(ROOT)}: {picture.width()} × {picture.height()}")
    return path


async def take(app: QApplication, work: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    install_asyncgen_hooks(asyncio.get_running_loop())  # as the app does: qasync does not install them
    with FakeLMStudio(per_token_delay_s=0.03) as fake:
        fake.responder = dealing_responder
        store = Store.open(work / "negotiator.sqlite3")
        settings = load_settings(work / "settings.json")
        settings.llm = settings.llm.model_copy(update={"base_url": fake.base_url})
        office = store.create_session(load_scenario(resource_path("scenarios", "office_supplies.json"))).id
        store.create_session(load_scenario(resource_path("scenarios", "electronics_market.json")))
        mixed = store.create_session(mixed_config()).id
        window = MainWindow(store, settings, client_factory(fake.base_url), status_client_factory,
                            base_url_override=fake.base_url, window_state=WindowState(work / "window.ini"))
        try:
            window.resize(*SIZE)
            window.show()
            window.start()
            await until(lambda: window.connection.healthy is not None)
            await window.open_session(office)
            view = window.host.view
            view.set_operator_view(True)
            view.select_room(1)  # the monitor room: three sellers
            pane = view.current_pane()
            view.start_all()
            # Streaming: some sellers have offered, a message is still being written.
            await until(lambda: len(pane.offers._standing) >= 2 and pane.runner.running and pane.transcript.bubbles()
                        and pane.transcript.bubbles()[-1].message is None)
            await asyncio.sleep(0.3)
            save(window, "room_streaming_operator")
            pane.runner.pause()  # holds the room while the dialog is pictured
            dialog = pane.open_force_dialog()
            await asyncio.sleep(0.3)
            save(window, "force_decision", dialog)
            dialog.reject()
            pane.runner.resume()
            await until(lambda: not window.host.running_rooms(), timeout=60)
            await window.host.runtime.recorder.flush()
            await asyncio.sleep(0.3)
            save(window, "main_window")
            window.show_summary()
            await asyncio.sleep(0.5)
            save(window, "summary")
            await window.open_session(mixed)  # a model buyer against strategy and model sellers
            view = window.host.view
            view.select_room(1)
            pane = view.current_pane()
            view.start_all()
            await until(lambda: not window.host.running_rooms(), timeout=60)
            await asyncio.sleep(0.3)
            save(window, "mixed_session")
            await take_experiments(window, fake, store.create_session(market()).id)
        finally:
            await window.shutdown()
            await asyncio.get_running_loop().shutdown_asyncgens()
            window.deleteLater()
            store.close()


async def take_experiments(window: MainWindow, fake: FakeLMStudio, session_id: int) -> None:
    """The experiment form filled in for a model × model cross-play, then that experiment's cross-play matrix."""
    fake.per_token_delay_s = 0.0  # 32 runs: the words need not stream visibly here
    fake.responder = varied_responder(3)  # the buyer model "other-model" accepts sooner: the cells differ
    window.show_experiments()
    page = window.experiments_page
    await page.show_form()
    form = page.form
    form.name_edit.setText("Which buyer model gets the better price?")
    form.scenario.select(session_id, None)
    await until(lambda: form.scenario.base is not None and bool(form.models))
    form.repetitions.setValue(8)
    form.parallel.setValue(4)
    form.cross_models.setText("fake-model, other-model")
    form.make_cross_play_arms()
    await asyncio.sleep(0.3)
    save(window, "experiment_form")
    form.submit()
    await until(lambda: page.pages.currentWidget() is page.browser and page.list.rowCount() == 1)
    page.run_selected()
    await until(lambda: page.run_task is None, timeout=180)
    await until(lambda: page.results.report is not None and page.results.report.done == 32)
    page.results.tabs.setCurrentWidget(page.results.cross_play)
    await asyncio.sleep(0.3)
    save(window, "experiment_cross_play")


def mixed_config():
    """The office example with its first seller a Boulware strategy and its second a Conceder; the rest and the
    buyer stay language models."""
    config = load_scenario(resource_path("scenarios", "office_supplies.json")).model_dump()
    config["name"] = "Mixed: a model buyer against strategy and model sellers"
    for seller, family in zip(config["sellers"], ("boulware", "conceder")):
        seller["agent"] = {"kind": "strategy", "strategy": {"kind": family}}
    return SessionConfig.model_validate(config)


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as work, \
            asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(take(app, Path(work)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
