"""The rooms' panes of an open session, each built the first time it is needed.

Building ten panes in one go stalls the window for a noticeable moment on a slow machine; the shown room's
pane is built first and the others one per event-loop turn after it. Reading a pane that is not built yet
builds it, so every caller sees all rooms.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from .room import RoomPane


class RoomPanes(Mapping[str, RoomPane]):
    """Room key -> its pane, in the rooms' order; `build(key)` makes a missing pane on first use."""

    def __init__(self, keys: Iterable[str], build: Callable[[str], RoomPane]) -> None:
        self._keys = list(keys)
        self._built: dict[str, RoomPane] = {}
        self._build = build

    def __getitem__(self, key: str) -> RoomPane:
        pane = self._built.get(key)
        if pane is None:
            if key not in self._keys:
                raise KeyError(key)
            pane = self._built[key] = self._build(key)
        return pane

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def is_built(self, key: str) -> bool:
        return key in self._built

    def built(self) -> list[RoomPane]:
        """The panes built so far, in the rooms' order (for work that only concerns existing panes)."""
        return [self._built[key] for key in self._keys if key in self._built]

    def next_unbuilt(self) -> str | None:
        return next((key for key in self._keys if key not in self._built), None)
