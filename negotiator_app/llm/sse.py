"""Reads `data:` payloads from a server-sent-events byte stream, strictly enough to spot garbage."""
from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

# Fields a well-formed SSE stream may carry besides `data`; they mean nothing to chat streams.
_IGNORED_FIELDS = {"event", "id", "retry"}


class SSEFormatError(ValueError):
    """The bytes are not a server-sent-events stream."""


async def sse_data(chunks: AsyncIterator[bytes]) -> AsyncGenerator[str, None]:
    """Yield the payload of each `data:` line as it completes.

    Splits on `\\n` only (httpx's line reader also splits on U+2028 and friends, which may
    appear raw inside JSON) and decodes strictly so non-UTF-8 garbage is reported, not masked.
    Each data line is treated as one event: OpenAI-style servers never split a JSON payload
    over several lines, and some omit the blank separator line.
    """
    buffer = b""
    async for chunk in chunks:
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for raw in lines:
            payload = _payload(raw)
            if payload is not None:
                yield payload
    if buffer.strip():
        payload = _payload(buffer)
        if payload is not None:
            yield payload


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
