"""Stopping a headless run: SIGTERM is handled like Ctrl+C, and a stop while the disk is full says one true
thing (no outcome table of states the database never received)."""
from __future__ import annotations

import asyncio
import signal
import time

import pytest

from negotiator_app import headless
from negotiator_app.domain import RunState
from negotiator_app.storage import Store
from tests.cli.scripted import responder
from tests.cli.test_cli import _start_cli, _wait_for_messages, scenario  # noqa: F401 - the fixture
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.hardening.test_storage_faults import Script, _install_fault, _sell, walk_after
from tests.storage.support import small_config


@pytest.fixture
def fake():
    with FakeLMStudio() as server:
        server.responder = responder
        yield server


def test_sigterm_stops_like_ctrl_c_and_keeps_the_partial_message(fake, scenario, tmp_path):  # noqa: F811
    fake.per_token_delay_s = 0.05
    db = tmp_path / "n.sqlite3"
    proc = _start_cli(scenario, db, fake.base_url)
    _wait_for_messages(db, proc, 2)
    time.sleep(0.3)  # mid-stream: replies take over a second to stream
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == headless.EXIT_TERMINATED == 143, err
    assert "stopped: partial messages are stored" in err and "Traceback" not in err
    with Store.open(db, read_only=True) as store:
        runs = [store.load_run(r.run_id) for r in store.list_runs(1)]
    assert runs and {r.state for r in runs} == {RunState.STOPPED}
    assert any(m.interrupted and m.text for r in runs for m in r.messages)


@pytest.mark.expect_errors(r"recorder closing with \d+ events unstored", r"some events could not be stored before closing")
def test_ctrl_c_with_a_full_disk_prints_one_true_message(fake, tmp_path, monkeypatch):
    monkeypatch.setattr(headless, "CLOSE_TIMEOUT_S", 1.0)
    fake.responder = Script(sell=_sell, decide=walk_after(10))  # long offers: the full file must grow soon
    db = tmp_path / "n.sqlite3"
    out: list[str] = []
    err: list[str] = []
    with Store.open(db) as store:
        fault = _install_fault(store, db, "disk_full")

        async def main() -> int:
            run = asyncio.ensure_future(headless._run(store, small_config().model_copy(
                update={"llm": small_config().llm.model_copy(update={"base_url": fake.base_url})}),
                None, None, out.append, err.append))
            while not any("] Pat:" in line for line in out):  # the first message is stored and printed
                await asyncio.sleep(0.02)
            fault["switch"](True)  # the disk is full from now on
            while not any(line.startswith("storage error") for line in err):
                await asyncio.sleep(0.02)
            run.cancel()  # what Ctrl+C does to the command's main task
            return await run

        code = asyncio.run(asyncio.wait_for(main(), 60))
    after = [line for line in err if not line.startswith("storage")]  # the live notices of the failure
    assert code == headless.EXIT_STORAGE
    assert len(after) == 1 and after[0].startswith("error: stopped; not everything could be stored: ")
    assert "resume RUN_ID" in after[0]
    assert not any(line.startswith("item ") for line in out)  # no table of stale states
