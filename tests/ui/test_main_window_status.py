"""The server status stays true while rooms run (their own requests are the evidence, no probing), and the
log records a status poll at INFO only when the status changes."""
from __future__ import annotations

import logging

from PySide6.QtCore import Qt

from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.window_support import dealing_responder, example


def test_status_follows_the_server_while_rooms_run_from_their_own_requests(kit, qtbot):
    with FakeLMStudio(per_token_delay_s=0.02) as fake:
        fake.responder = dealing_responder
        port = int(fake.base_url.rsplit(":", 1)[1].split("/")[0])
        store = kit.store()
        sid = store.create_session(example("office_supplies")).id

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.monitor.interval_s = 3600  # no poll during the test: only what the rooms meet can tell
            window.show()
            seen: list[tuple[bool, bool]] = []  # (healthy, rooms running) at each status change
            window.monitor.status_changed.connect(
                lambda _s: seen.append((window.connection.healthy, bool(window.host.running_rooms()))))
            window.start()
            await until(lambda: window.connection.healthy is True, what="the first status")
            await window.open_session(sid)
            probes = sum(1 for _m, path, _h, _b in fake.all_requests if path == "/v1/models")

            fake.stop()  # the server dies; the rooms started now cannot connect
            qtbot.mouseClick(window.host.view.start_all_button, Qt.MouseButton.LeftButton)
            await until(lambda: window.connection.healthy is False, what="the status to say 'not reachable'")
            assert seen[-1] == (False, True)  # said while the rooms were still running
            assert "not reachable" in window.connection.plain_text()
            await until(lambda: not window.host.running_rooms(), timeout=30, what="the rooms to give up")

            fake.start(port)  # the server comes back on the same address
            pane = window.host.view.current_pane()
            qtbot.mouseClick(pane.controls.buttons["again"], Qt.MouseButton.LeftButton)
            await until(lambda: window.connection.healthy is True, what="the status to say 'reachable'")
            assert seen[-1] == (True, True)
            assert "reachable" in window.connection.plain_text() and "not reachable" not in window.connection.plain_text()
            # No status probe meanwhile: each room's one model lookup (two tries) is all the /v1/models traffic.
            rooms = len(window.host.view.panes) + 1
            after = sum(1 for _m, path, _h, _b in fake.all_requests if path == "/v1/models")
            await window.host.runtime.stop_all()
            return after - probes, rooms

        lookups, rooms = kit.run(scenario())
        assert lookups <= rooms


def test_unchanged_status_polls_log_at_debug_and_a_change_at_info(kit, caplog):
    caplog.set_level(logging.DEBUG)
    with FakeLMStudio() as fake:
        def probes():
            return sum(1 for _m, path, _h, _b in fake.all_requests if path == "/v1/models")

        async def scenario():
            window = kit.window(fake.base_url)
            window.monitor.interval_s = 0.02
            window.start()
            await until(lambda: probes() >= 6, what="several polls")
            fake.models = fake.models[:1]
            await until(lambda: "1 model" in window.connection.plain_text(), what="the changed status")
            before = probes()
            await until(lambda: probes() >= before + 4, what="more polls")

        kit.run(scenario())
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    about_status = [m for m in info if "models" in m or "server status" in m]
    assert len(about_status) == 2, about_status  # the first status and the one change
    assert about_status[0].startswith("server status: LM Studio: reachable, 2 models")
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG and "unchanged" in r.getMessage()]
    assert len(debug) >= 6
