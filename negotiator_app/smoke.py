"""`negotiator --smoke-test`: the real window, offscreen, on a temporary database; exit 0 when it all works."""
from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

TIMEOUT_S = 120.0


async def _wait(predicate, what: str, timeout: float = TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


def run_smoke_test(base_url: str | None) -> int:
    import qasync
    from PySide6.QtCore import QSettings

    from .app import application, run_window
    from .paths import temporary_user_dirs
    from .ui.error_dialog import configure_logging

    report: list[str] = []
    with tempfile.TemporaryDirectory(prefix="negotiator-smoke-") as tmp, temporary_user_dirs(Path(tmp)) as env:
        tmp_path = Path(tmp)
        # Before anything reads settings: the smoke test must not see or change the person's settings and data.
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(QSettings.Format.IniFormat, scope, env["XDG_CONFIG_HOME"])
        log_file = configure_logging(tmp_path / "logs")
        app = application()

        async def scenario(window) -> None:
            try:
                await _exercise(window, base_url, report)
            except Exception as exc:  # noqa: BLE001 - reported as the smoke test's failure
                report.append(f"FAILED: {exc}")
            finally:
                window.close()

        try:
            with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
                code = runner.run(asyncio.wait_for(
                    run_window(app, db_path=tmp_path / "smoke.sqlite3", base_url=base_url, log_file=log_file,
                               on_started=scenario), TIMEOUT_S + 30))
        except Exception as exc:  # noqa: BLE001
            report.append(f"FAILED: {exc!r}")
            code = 1
    failed = any(line.startswith("FAILED") for line in report)
    for line in report:
        print(line, file=sys.stderr if failed else sys.stdout)
    return 1 if failed or code else 0


async def _exercise(window, base_url: str | None, report: list[str]) -> None:
    from .domain import RunState, load_scenario
    from .ui.setup import example_scenarios

    window.new_session()
    # The smoke test checks the model server too: an example played by strategies only would never ask it.
    examples = [path for path in example_scenarios() if load_scenario(path).needs_server]
    if not examples:
        raise RuntimeError("no example scenario in resources/scenarios")
    form = window.setup_form
    if not form.import_scenario_file(examples[0]):
        raise RuntimeError(f"the example {examples[0].name} does not load: {form.import_errors}")
    form.llm.max_rounds.setValue(1)
    if base_url:
        form.llm.url_edit.setText(base_url)
    if not form.check.valid:
        raise RuntimeError(f"the example is not accepted by the form: {form.problems()}")
    form.create_button.click()
    await _wait(lambda: window.host.runtime is not None, "the session to open", 10)
    runtime = window.host.runtime
    report.append(f"window up; session '{runtime.name}' created with {len(runtime.engine.rooms)} room(s)")
    if not base_url:
        return
    key, runner = next(iter(runtime.engine.rooms.items()))
    runtime.start(key)
    await _wait(lambda: runner.state.finished, f"room {key} to finish one round")
    await runtime.recorder.flush(timeout=10)
    record = window.store.load_run(runner.run_id)
    if runner.state == RunState.ERROR or not record.messages:
        raise RuntimeError(f"the round against {base_url} did not complete: state {runner.state.value}, "
                           f"{len(record.messages)} message(s) stored")
    report.append(f"one round against {base_url}: {runner.state.value}, {len(record.messages)} messages stored")
