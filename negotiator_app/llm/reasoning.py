"""Splits inline `<think>…</think>` reasoning out of streamed content, even across chunks."""
from __future__ import annotations

from typing import Literal

Kind = Literal["content", "reasoning"]
OPEN_TAG = "<think>"
CLOSE_TAG = "</think>"


def _partial_tag_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of `text` that is a proper prefix of `tag`."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:size]):
            return size
    return 0


class ThinkSplitter:
    """Feed content deltas in; get back (kind, text) pieces with the tags removed.

    A possible tag fragment at the end of a delta is held back until the next delta decides it,
    so "<th" + "ink>" never leaks into the answer.
    """

    def __init__(self) -> None:
        self._inside = False
        self._pending = ""
        self.content = ""
        self.reasoning = ""
        # A `</think>` with no opening tag means the chat template opened the block in the
        # prompt (DeepSeek-R1 style): everything before it was reasoning.
        self.stray_close_seen = False

    def take_plain(self, delta: str) -> bool:
        """Takes `delta` as answer text if it is plainly that (outside reasoning, no tag nor the start of one, nothing
        held back); False leaves it to `feed`."""
        if self._inside or self._pending or "<" in delta:
            return False
        self.content += delta
        return True

    def feed(self, delta: str) -> list[tuple[Kind, str]]:
        if not self._pending and "<" not in delta:  # the usual delta: no tag, nor the start of one
            pieces: list[tuple[Kind, str]] = []
            self._emit(pieces, self._kind(), delta)
            return pieces
        text = self._pending + delta
        self._pending = ""
        pieces = []
        while text:
            tag = CLOSE_TAG if self._inside else OPEN_TAG
            at = text.find(tag)
            if not self._inside:
                stray = text.find(CLOSE_TAG)
                if stray != -1 and (at == -1 or stray < at):
                    self._reclassify_content_as_reasoning()
                    self._emit(pieces, "reasoning", text[:stray])
                    text = text[stray + len(CLOSE_TAG):]
                    continue
            if at == -1:
                held = _partial_tag_suffix(text, tag)
                if not self._inside:
                    held = max(held, _partial_tag_suffix(text, CLOSE_TAG))
                self._emit(pieces, self._kind(), text[: len(text) - held])
                self._pending = text[len(text) - held:]
                break
            self._emit(pieces, self._kind(), text[:at])
            self._inside = not self._inside
            text = text[at + len(tag):]
        return pieces

    def flush(self) -> list[tuple[Kind, str]]:
        """End of stream: a held-back fragment was not a tag after all."""
        pieces: list[tuple[Kind, str]] = []
        self._emit(pieces, self._kind(), self._pending)
        self._pending = ""
        return pieces

    def _kind(self) -> Kind:
        return "reasoning" if self._inside else "content"

    def _emit(self, pieces: list[tuple[Kind, str]], kind: Kind, text: str) -> None:
        if not text:
            return
        pieces.append((kind, text))
        if kind == "content":
            self.content += text
        else:
            self.reasoning += text

    def _reclassify_content_as_reasoning(self) -> None:
        self.stray_close_seen = True
        self.reasoning += self.content
        self.content = ""
