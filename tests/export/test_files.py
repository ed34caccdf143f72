"""Export writing never destroys what is at the path: symlinks are written through, devices and pipes written
directly, folders and sockets refused, '-' is standard output."""
from __future__ import annotations

import json
import os
import socket
import stat
import threading

import pytest

from negotiator_app.cli import main
from negotiator_app.domain.scenario import NotARegularFileError
from negotiator_app.export import write_json, write_text
from negotiator_app.storage import Store
from tests.storage.support import scripted_session


def test_a_symlink_is_written_through_to_its_target(tmp_path):
    target_dir = tmp_path / "real"
    target_dir.mkdir()
    target = target_dir / "log.json"
    target.write_text("old")
    target.chmod(0o644)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_json(link, {"a": 1})
    assert link.is_symlink() and os.readlink(link) == str(target)  # still a link, to the same file
    assert json.loads(target.read_text()) == {"a": 1}
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # the replaced file keeps its permissions
    assert sorted(os.listdir(target_dir)) == ["log.json"] and sorted(os.listdir(tmp_path)) == ["link.json", "real"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "made.md")
    write_text(link, "# hi\n")
    assert link.is_symlink() and (tmp_path / "made.md").read_text() == "# hi\n"


def test_a_character_device_is_written_directly_not_replaced(tmp_path):
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the same device as /dev/null
    except PermissionError:
        pytest.skip("creating a device node needs root")
    write_json(null, {"a": 1})
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    link = tmp_path / "out.json"
    link.symlink_to(null)
    write_text(link, "x")
    assert stat.S_ISCHR(os.lstat(null).st_mode) and link.is_symlink()
    assert sorted(os.listdir(tmp_path)) == ["null", "out.json"]  # no temporary file left beside it


def test_a_full_device_reports_the_error_and_stays_a_device(tmp_path):
    full = tmp_path / "full"
    try:
        os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # /dev/full: every write fails with ENOSPC
    except PermissionError:
        pytest.skip("creating a device node needs root")
    with pytest.raises(OSError, match="No space left"):
        write_text(full, "x" * 10_000)
    assert stat.S_ISCHR(os.lstat(full).st_mode)


def test_a_named_pipe_is_written_to_its_reader(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    ready = threading.Event()

    def read() -> None:
        with open(fifo, "rb") as reader:  # blocks until the writer opens
            ready.set()
            received.append(reader.read())

    reader = threading.Thread(target=read)
    reader.start()
    # The reader's open() blocks until a writer appears, so retry briefly if we raced ahead of it.
    for _ in range(500):
        try:
            write_json(fifo, {"a": 1})
            break
        except NotARegularFileError:
            threading.Event().wait(0.01)
    reader.join(10)
    assert json.loads(received[0]) == {"a": 1}
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_pipe_nobody_reads_is_refused_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFileError, match="no program is reading"):
        write_json(fifo, {"a": 1})
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and os.listdir(tmp_path) == ["pipe"]


def test_a_folder_or_a_socket_is_refused(tmp_path):
    folder = tmp_path / "dir"
    folder.mkdir()
    with pytest.raises(NotARegularFileError, match="is a folder"):
        write_json(folder, {"a": 1})
    assert folder.is_dir() and os.listdir(folder) == []
    sock_path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        with pytest.raises(NotARegularFileError, match="not a regular file"):
            write_json(sock_path, {"a": 1})
        assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["dir", "s.sock"]


def test_cli_export_to_standard_output_and_refusal_of_a_folder(tmp_path, capsys):
    db = tmp_path / "db.sqlite3"
    with Store.open(db) as store:
        session_id = scripted_session(store)
    assert main(["export", str(session_id), "--out", "-", "--db", str(db)]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed)["kind"] == "session"  # only the log on standard output, nothing else
    folder = tmp_path / "exports"
    folder.mkdir()
    assert main(["export", str(session_id), "--out", str(folder), "--db", str(db)]) != 0
    captured = capsys.readouterr()
    assert "is a folder" in captured.err and "Traceback" not in captured.err and folder.is_dir()


def test_a_folder_path_through_a_file_is_refused_with_a_message(tmp_path):
    blocker = tmp_path / "exports"
    blocker.write_text("keep me")
    with pytest.raises(NotARegularFileError, match="is a file, not a folder"):
        write_json(blocker / "session-1.json", {"a": 1})
    assert blocker.read_text() == "keep me"
