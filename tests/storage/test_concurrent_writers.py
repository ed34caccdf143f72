"""Many writers in one process (a recorder per running session) take turns on the file instead of failing busy."""
from __future__ import annotations

import threading
import time

from sqlalchemy import text

from negotiator_app.storage import Store, db


def test_dozens_of_writer_threads_all_commit_even_with_no_busy_timeout(tmp_path, monkeypatch):
    # No busy timeout at all: any two writers of this process meeting at SQLite's lock would fail at once.
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 0)
    errors: list[Exception] = []
    with Store.open(tmp_path / "db.sqlite3") as store:
        with store.writing() as conn:
            conn.execute(text("CREATE TABLE hits (writer INTEGER, n INTEGER)"))

        def write(writer: int) -> None:
            for n in range(10):
                try:
                    with store.writing() as conn:
                        conn.execute(text("INSERT INTO hits VALUES (:w, :n)"), {"w": writer, "n": n})
                        time.sleep(0.001)  # a transaction that takes a moment, as a real one does
                except Exception as exc:  # noqa: BLE001 - collected and asserted below
                    errors.append(exc)

        threads = [threading.Thread(target=write, args=(w,)) for w in range(24)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        with store.reading() as conn:
            stored = conn.execute(text("SELECT COUNT(*) FROM hits")).scalar_one()
    assert errors == []
    assert stored == 24 * 10
