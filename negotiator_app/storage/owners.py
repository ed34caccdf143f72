"""Who negotiates a run: each process has an owner id, stored on the runs it drives with a heartbeat.

Two windows or commands may share one database file. A `running` row is only "left by a crash" when its
owner is gone: a process on this machine that no longer exists, or an owner whose heartbeat has not been
refreshed for longer than the staleness limit (the only sign that works across machines). A live owner's
run is never marked interrupted and never resumed by someone else.
"""
from __future__ import annotations

import os
import socket
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

HEARTBEAT_ENV = "NEGOTIATOR_HEARTBEAT_S"  # how often the owner refreshes its runs' heartbeat
STALE_ENV = "NEGOTIATOR_OWNER_STALE_S"  # how old a heartbeat may get before its owner counts as gone
HOST_ENV = "NEGOTIATOR_HOST_ID"  # tests pose as another machine, where process ids cannot be checked
DEFAULT_HEARTBEAT_S = 5.0
DEFAULT_STALE_S = 30.0


def _seconds(env: str, default: float) -> float:
    try:
        value = float(os.environ.get(env, default))
    except ValueError:
        return default
    return value if value > 0 else default


def heartbeat_interval() -> float:
    return _seconds(HEARTBEAT_ENV, DEFAULT_HEARTBEAT_S)


def stale_after() -> float:
    return _seconds(STALE_ENV, DEFAULT_STALE_S)


def _host() -> str:
    return os.environ.get(HOST_ENV) or socket.gethostname() or "localhost"


@dataclass(frozen=True)
class Owner:
    host: str
    pid: int
    token: str  # tells this process apart from an earlier one that had the same pid

    @property
    def id(self) -> str:
        return f"{self.host}|{self.pid}|{self.token}"

    @classmethod
    def parse(cls, owner_id: str | None) -> Owner | None:
        parts = (owner_id or "").rsplit("|", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        return cls(parts[0], int(parts[1]), parts[2])

    def describe(self) -> str:
        return f"process {self.pid} on {self.host}"


_this: Owner | None = None


def this_process() -> Owner:
    """This process's owner id (a new one after fork: the pid differs)."""
    global _this
    if _this is None or _this.pid != os.getpid():
        _this = Owner(_host(), os.getpid(), uuid.uuid4().hex[:8])
    return _this


def pid_alive(pid: int) -> bool:
    if sys.platform == "win32":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)  # signal 0: only checks that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True


def _windows_pid_alive(pid: int) -> bool:  # os.kill(pid, 0) would terminate the process on Windows
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel32.GetLastError() == 5  # access denied: it exists
    code = ctypes.c_ulong()
    try:
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
    finally:
        kernel32.CloseHandle(handle)
    return code.value == 259  # STILL_ACTIVE


def owner_gone(owner_id: str | None, heartbeat_at: datetime | None, now: datetime | None = None) -> bool:
    """True when nobody negotiates a run owned by `owner_id` any more, so it may be marked interrupted."""
    owner = Owner.parse(owner_id)
    if owner is None or heartbeat_at is None:
        return True  # written before runs had owners, or by a process that never beat: nobody holds it
    me = this_process()
    if owner == me:
        return False
    if owner.host == me.host and not pid_alive(owner.pid):
        return True
    if owner.host == me.host and owner.pid == me.pid:
        return True  # our pid, another token: a predecessor whose pid this process inherited
    now = now or datetime.now(UTC)
    return (now - heartbeat_at).total_seconds() > stale_after()
