"""`--db` paths: commands that only read (sessions, runs, export) open the file read-only and never create,
move or change it; commands that write refuse a folder, a path under a file and special files in plain words."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from negotiator_app.cli import main
from negotiator_app.storage import Store
from tests.storage.support import RUN_CABLES, cable_events, orphan, record, small_config

READING = [["sessions"], ["runs", "1"], ["export", "1", "--out", "OUT"]]


def reading(command: list[str], db: Path, tmp_path: Path) -> list[str]:
    return [arg.replace("OUT", str(tmp_path / "out.json")) for arg in command] + ["--db", str(db)]


def stored_db(tmp_path: Path) -> Path:
    """A database with one crash-left run: a command that opened it for writing would mark that run."""
    db = tmp_path / "data" / "n.sqlite3"
    with Store.open(db) as store:
        session_id = store.create_session(small_config()).id
        record(store, session_id, cable_events()[:9]).close()
    orphan(db, RUN_CABLES)
    return db


@pytest.mark.parametrize("command", READING, ids=lambda c: c[0])
def test_a_mistyped_path_creates_nothing(command, tmp_path, capsys):
    db = tmp_path / "typo" / "deeper" / "n.sqlite3"
    assert main(reading(command, db, tmp_path)) == 4
    err = capsys.readouterr().err
    assert f"There is no database at {db}" in err and "Traceback" not in err
    assert not (tmp_path / "typo").exists() and not (tmp_path / "out.json").exists()


@pytest.mark.parametrize("command", READING, ids=lambda c: c[0])
@pytest.mark.parametrize("content", [b"my thesis, not a database\n" * 40, b""], ids=["text", "empty"])
def test_a_file_that_is_not_a_database_is_left_alone(command, content, tmp_path, capsys):
    db = tmp_path / "notes.txt"
    db.write_bytes(content)
    assert main(reading(command, db, tmp_path)) == 4
    assert "not a database" in capsys.readouterr().err or not content
    assert db.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # nothing moved aside, nothing created


@pytest.mark.parametrize("command", READING, ids=lambda c: c[0])
def test_reading_leaves_the_file_unchanged(command, tmp_path, capsys):
    db = stored_db(tmp_path)
    before, mtime = db.read_bytes(), db.stat().st_mtime_ns
    assert main(reading(command, db, tmp_path)) == 0, capsys.readouterr().err
    assert "shown as interrupted" in capsys.readouterr().err
    assert db.read_bytes() == before and db.stat().st_mtime_ns == mtime
    assert not list(db.parent.glob("*.corrupt-*"))


def test_storage_that_cannot_hold_sqlite_companions_is_still_listed_and_exported(tmp_path, capsys):
    """Read-only storage, simulated the one way root cannot override: SQLite's -shm file cannot be created."""
    db = stored_db(tmp_path)
    for side in ("-wal", "-shm"):
        Path(f"{db}{side}").unlink(missing_ok=True)
    Path(f"{db}-shm").mkdir()
    assert main(["sessions", "--db", str(db)]) == 0
    assert "Small shop" in capsys.readouterr().out
    assert main(["export", "1", "--out", str(tmp_path / "s.json"), "--db", str(db)]) == 0
    assert '"name": "Small shop"' in (tmp_path / "s.json").read_text()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files and folders anyway")
def test_a_read_only_file_in_a_read_only_folder_is_listed_and_exported(tmp_path, capsys):
    db = stored_db(tmp_path)
    db.chmod(0o444)
    db.parent.chmod(0o555)
    try:
        assert main(["sessions", "--db", str(db)]) == 0
        assert main(["export", "1", "--out", str(tmp_path / "s.json"), "--db", str(db)]) == 0
    finally:
        db.parent.chmod(0o755)


@pytest.mark.parametrize("make", ["folder", "under_a_file", "fifo"])
@pytest.mark.parametrize("command", [["import", "LOG"], ["resume", "abc"], ["debrief", "1"]], ids=lambda c: c[0])
def test_writing_commands_refuse_paths_that_cannot_hold_a_database(make, command, tmp_path, capsys):
    log = tmp_path / "log.json"
    log.write_text("{}")
    target = tmp_path / "target"
    if make == "folder":
        target.mkdir()
        db = target
    elif make == "under_a_file":
        target.write_text("a file")
        db = target / "sub" / "n.sqlite3"
    else:
        os.mkfifo(target)
        db = target
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main([arg.replace("LOG", str(log)) for arg in command] + ["--db", str(db)]) == 4
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert {"folder": "is a folder", "under_a_file": "part of its path is a file",
            "fifo": "not a regular file"}[make] in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if make == "folder":
        assert list(target.iterdir()) == []
