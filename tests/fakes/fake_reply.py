"""Scripted replies for the fake LM Studio and the OpenAI-shaped JSON they turn into."""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

FAULTS = {"drop", "status", "garbage", "empty", "stream_error", "hang"}
REASONING_FORMS = {"reasoning_content", "reasoning", "think"}
GARBAGE = b"\xff\xfe\x00\x9cgarbage {{{ not json\n\n"
CHUNK_CHARS = 4  # small chunks so clients see tokens arrive one by one, and tags get split


@dataclass
class FakeReply:
    """One answer (or failure) the fake serves for one request."""

    content: str = ""
    reasoning: str = ""
    reasoning_form: str = "reasoning_content"  # | "reasoning" | "think" (inline tags)
    token_delay_s: float | None = None  # None: the server's per_token_delay_s
    fault: str | None = None  # one of FAULTS
    drop_after: int = 2  # drop / garbage / stream_error happen after this many deltas
    status: int = 500  # for fault="status"
    body: str = "Internal server error"  # for fault="status" / "stream_error"
    usage: bool = True  # send a usage object when the request asks for it
    finish_reason: str = "stop"

    def __post_init__(self) -> None:
        if self.fault is not None and self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}; use one of {sorted(FAULTS)}")
        if self.reasoning_form not in REASONING_FORMS:
            raise ValueError(f"unknown reasoning_form {self.reasoning_form!r}")


def as_reply(value: FakeReply | str) -> FakeReply:
    return value if isinstance(value, FakeReply) else FakeReply(content=value)


def split_chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """About one word per chunk, long words cut into `size`-char pieces."""
    pieces: list[str] = []
    for word in re.findall(r"\S+\s*|\s+", text):
        pieces.extend(word[i:i + size] for i in range(0, len(word), size))
    return pieces


def stream_deltas(reply: FakeReply) -> list[dict[str, str]]:
    """The `delta` objects, in order, that carry this reply's reasoning and answer."""
    if reply.reasoning_form == "think":
        text = reply.content
        if reply.reasoning:
            text = f"<think>{reply.reasoning}</think>{text}"
        return [{"content": piece} for piece in split_chunks(text)]
    deltas = [{reply.reasoning_form: piece} for piece in split_chunks(reply.reasoning)]
    return deltas + [{"content": piece} for piece in split_chunks(reply.content)]


def estimate_prompt_tokens(body: dict[str, Any]) -> int:
    messages = body.get("messages") or []
    chars = sum(len(m.get("content") or "") if isinstance(m.get("content"), str)
                else len(json.dumps(m.get("content"))) for m in messages if isinstance(m, dict))
    return chars // 4


def chunk_event(model: str, delta: dict[str, Any] | None, finish: str | None = None,
                usage: dict[str, int] | None = None) -> bytes:
    obj: dict[str, Any] = {
        "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
        "model": model,
        "choices": [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage is not None:
        obj["usage"] = usage
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


def usage_object(body: dict[str, Any], completion_tokens: int) -> dict[str, int]:
    prompt = estimate_prompt_tokens(body)
    return {"prompt_tokens": prompt, "completion_tokens": completion_tokens,
            "total_tokens": prompt + completion_tokens}


def completion_body(reply: FakeReply, body: dict[str, Any], model: str) -> dict[str, Any]:
    """A whole (non-streamed) chat.completion response."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.reasoning and reply.reasoning_form == "think":
        message["content"] = f"<think>{reply.reasoning}</think>{reply.content}"
    elif reply.reasoning:
        message[reply.reasoning_form] = reply.reasoning
    result: dict[str, Any] = {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
    }
    if reply.usage:
        result["usage"] = usage_object(body, len(stream_deltas(reply)))
    return result


def error_body(text: str) -> bytes:
    """LM Studio wraps errors as {"error": ...}; pass JSON bodies through untouched."""
    if text.lstrip().startswith("{"):
        return text.encode()
    return json.dumps({"error": {"message": text, "type": "invalid_request_error"}}).encode()
