"""Reads `data:` payloads from a server-sent-events byte stream, strictly enough to spot garbage."""
from __future__ import annotations

# Fields a well-formed SSE stream may carry besides `data`; they mean nothing to chat streams.
_IGNORED_FIELDS = {"event", "id", "retry"}


class SSEFormatError(ValueError):
    """The bytes are not a server-sent-events stream."""


class SSEParser:
    """Feed it the body's bytes as they arrive; it returns the payload of each `data:` line completed.

    Splits on `\\n` only (httpx's line reader also splits on U+2028 and friends, which may appear raw inside
    JSON) and decodes strictly so non-UTF-8 garbage is reported, not masked. Each data line is treated as one
    event: OpenAI-style servers never split a JSON payload over several lines, and some omit the blank
    separator line. A plain object, not an async generator: it runs once per network read of every stream.
    """

    def __init__(self) -> None:
        self._rest = b""
        self._error: SSEFormatError | None = None  # raised once the payloads before it have been taken

    def feed(self, chunk: bytes) -> list[str]:
        if self._error is not None:
            raise self._error
        lines = (self._rest + chunk).split(b"\n") if self._rest else chunk.split(b"\n")
        self._rest = lines.pop()
        payloads = []
        for raw in lines:
            if raw.startswith(b"data: "):  # the usual line: no need to look further
                try:
                    payloads.append(raw[6:].rstrip(b"\r").decode("utf-8"))
                    continue
                except UnicodeDecodeError:
                    pass  # reported below, with the whole line
            try:
                payload = _payload(raw)
            except SSEFormatError as exc:
                if not payloads:
                    raise
                self._error = exc
                break
            if payload is not None:
                payloads.append(payload)
        return payloads

    def close(self) -> list[str]:
        """The stream ended: a last line without its newline still counts."""
        if self._error is not None:
            raise self._error
        rest, self._rest = self._rest, b""
        payload = _payload(rest) if rest.strip() else None
        return [payload] if payload is not None else []


def _payload(raw: bytes) -> str | None:
    try:
        line = raw.rstrip(b"\r").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SSEFormatError(f"bytes that are not UTF-8 text: {raw[:40]!r}") from exc
    if not line or line.startswith(":"):
        return None  # event separator or comment (keep-alive pings)
    field, colon, value = line.partition(":")
    if not colon and field not in _IGNORED_FIELDS:
        raise SSEFormatError(f"a line that is not server-sent events: {line[:60]!r}")
    if field in _IGNORED_FIELDS:
        return None
    if field != "data":
        raise SSEFormatError(f"a line that is not server-sent events: {line[:60]!r}")
    return value[1:] if value.startswith(" ") else value
