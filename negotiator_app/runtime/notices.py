"""What the session runtime tells its listeners besides engine events: room tasks, storage health, stored runs.

Every notice is delivered on the event loop, in order with the engine events, whatever thread caused it.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..domain import RunState
from ..storage import StorageError


@dataclass(frozen=True, slots=True)
class RoomRunning:
    """A room's task started (True) or ended (False)."""

    room: str
    running: bool


@dataclass(frozen=True, slots=True)
class RoomFailed:
    """A room's task died of an exception the engine did not turn into an error state (a bug)."""

    room: str
    message: str


@dataclass(frozen=True, slots=True)
class StorageFailed:
    """The database stopped taking writes: running rooms are paused, queued events are kept and retried
    (`lasting` False); or the failure cannot clear (`lasting`): running rooms end in the error state."""

    error: StorageError

    @property
    def message(self) -> str:
        return self.error.user_message

    @property
    def lasting(self) -> bool:
        return not self.error.transient


@dataclass(frozen=True, slots=True)
class StorageRecovered:
    """Writes work again: the rooms paused for the failure continue."""


@dataclass(frozen=True, slots=True)
class RunStored:
    """The recorder committed a run's start or end: lists of runs and their states can be read again."""

    room: str
    run_id: str
    state: RunState


@dataclass(frozen=True, slots=True)
class ServerContact:
    """A room's request reached the model server (a reply began) or could not connect: evidence of the
    server's state while rooms run, when probing it would only disturb a server busy with their replies."""

    reachable: bool
    base_url: str


Notice = RoomRunning | RoomFailed | StorageFailed | StorageRecovered | RunStored | ServerContact
