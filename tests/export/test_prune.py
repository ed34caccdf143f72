"""Retention pruning deletes only the exports the app wrote, never the person's own files in that folder."""
from __future__ import annotations

import os
import time

from negotiator_app.export import prune_exports
from negotiator_app.headless import export_session_files
from tests.storage.support import RUN_CABLES, scripted_session


def _age(path, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def test_only_the_apps_own_old_exports_are_pruned(tmp_path, store):
    scripted_session(store)
    folder = tmp_path / "exports"
    app_files = export_session_files(store, 1, folder, [RUN_CABLES])  # the names the CLI gives its exports
    window_export = folder / "session-1-Cables_for_the_office.md"  # the window's default export name
    window_export.write_text("x")
    app_files.append(window_export)
    users = [folder / name for name in ("notes.md", "data.json", "session-notes.md", "run-later.json",
                                        "negotiator.sqlite3")]
    for path in users:
        path.write_text("mine")
    fresh = folder / "session-2.json"
    fresh.write_text("{}")
    for path in [*app_files, *users]:
        _age(path, 30)

    assert prune_exports(folder, None) == []  # off by default
    removed = prune_exports(folder, 7)

    assert sorted(removed) == sorted(app_files)
    assert all(p.exists() for p in users), "a file the app did not write was deleted"
    assert fresh.exists()
    assert {p.name for p in folder.iterdir()} == {p.name for p in users} | {fresh.name}
