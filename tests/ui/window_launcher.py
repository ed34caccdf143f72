"""The real window (offscreen) on a database, starting every room of session 1 once it is up: a process for
tests that signal the window. Run as `python -m tests.ui.window_launcher DB BASE_URL`."""
from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path


async def start_rooms(window) -> None:
    window.open_session(1)
    while window.host.runtime is None:
        await asyncio.sleep(0.05)
    window.host.runtime.start_all()


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    from negotiator_app.app import application, run_window

    db, base_url = sys.argv[1], sys.argv[2]
    app = application()
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(run_window(app, db_path=Path(db), base_url=base_url, on_started=start_rooms))


if __name__ == "__main__":
    sys.exit(main())
