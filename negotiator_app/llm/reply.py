"""Assembles one reply from stream chunks or a whole response: answer, reasoning, usage, timings."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from negotiator_app.llm.datatypes import ChatResult, ResponseFormatMode, Usage
from negotiator_app.llm.errors import ContextTooLong, MalformedReply
from negotiator_app.llm.reasoning import Kind, ThinkSplitter

TextCallback = Callable[[str], object]


class ReplyBuilder:
    """Collects deltas, forwards each to the caller's callbacks at once, and builds the result."""

    def __init__(
        self,
        model: str,
        on_content: TextCallback | None = None,
        on_reasoning: TextCallback | None = None,
    ) -> None:
        self.model = model
        self._on_content = on_content
        self._on_reasoning = on_reasoning
        self._splitter = ThinkSplitter()
        self._field_reasoning = ""
        self._answer_started = False
        self.started_at = time.monotonic()
        self.first_token_at: float | None = None
        self.token_chunks = 0
        self.finish_reason: str | None = None
        self.server_usage: dict[str, Any] | None = None
        self.saw_reply = False

    @property
    def started(self) -> bool:
        """True once any token (answer or reasoning) arrived: from then on, never re-send."""
        return self.first_token_at is not None

    @property
    def content(self) -> str:
        return self._splitter.content.strip()

    @property
    def reasoning(self) -> str:
        return (self._field_reasoning + self._splitter.reasoning).strip()

    def add_chunk(self, chunk: object) -> None:
        """One parsed `chat.completion.chunk` from a stream."""
        if not isinstance(chunk, dict):
            raise MalformedReply("a stream event that is not a JSON object", partial=self.content)
        self.saw_reply = True
        self.model = chunk.get("model") or self.model
        if isinstance(chunk.get("usage"), dict):
            self.server_usage = chunk["usage"]
        choices = chunk.get("choices", [])
        if type(choices) is not list or not all(type(c) is dict for c in choices):  # exact JSON types: no subclasses
            choices = _choices(chunk, self.content)  # the careful check, with its message
        if choices:
            choice = choices[0]
            delta = choice.get("delta") or {}
            if isinstance(delta, dict):
                self._add_texts(delta.get("content"), _reasoning_of(delta))
            self.finish_reason = choice.get("finish_reason") or self.finish_reason

    def add_content(self, content: str, model: str | None) -> None:
        """A plain content delta read without parsing (fast_delta): what add_chunk does with one."""
        self.saw_reply = True
        if model:
            self.model = model
        if self._answer_started and content and self._splitter.take_plain(content):
            # The usual delta, once the answer runs: its text as it came (what _add_texts would pass on, in fewer steps).
            self.token_chunks += 1
            if self._on_content is not None:
                self._on_content(content)
            return
        self._add_texts(content, None)

    def add_response(self, response: object) -> None:
        """A whole (non-streamed) `chat.completion` response."""
        if not isinstance(response, dict):
            raise MalformedReply("a response that is not a JSON object")
        choices = _choices(response, "")
        if not choices:
            raise MalformedReply("a response without choices")
        self.saw_reply = True
        self.model = response.get("model") or self.model
        if isinstance(response.get("usage"), dict):
            self.server_usage = response["usage"]
        message = choices[0].get("message") or {}
        if not isinstance(message, dict):
            raise MalformedReply("a choice whose message is not an object")
        self._add_texts(message.get("content"), _reasoning_of(message))
        self.finish_reason = choices[0].get("finish_reason")

    def _add_texts(self, content: object, reasoning: object) -> None:
        if isinstance(reasoning, str) and reasoning:
            self._mark_token()
            self._field_reasoning += reasoning
            _call(self._on_reasoning, reasoning)
        if isinstance(content, str) and content:
            self._mark_token()
            self._dispatch(self._splitter.feed(content))

    def _mark_token(self) -> None:
        self.token_chunks += 1
        if self.first_token_at is None:
            self.first_token_at = time.monotonic()

    def _dispatch(self, pieces: list[tuple[Kind, str]]) -> None:
        for kind, text in pieces:
            if kind == "reasoning":
                _call(self._on_reasoning, text)
                continue
            if not self._answer_started:
                # The final content is stripped; keep the live stream consistent with it.
                text = text.lstrip()
                if not text:
                    continue
                self._answer_started = True
            _call(self._on_content, text)

    def result(self, response_format: ResponseFormatMode, streamed: bool) -> ChatResult:
        """The finished reply; raises when the server sent nothing usable."""
        self._dispatch(self._splitter.flush())
        if not self.saw_reply:
            raise MalformedReply("an empty reply")
        content, reasoning = self.content, self.reasoning
        if not content and not reasoning and self.finish_reason in (None, "length"):
            usage = self.server_usage or {}
            generated = _int_or_none(usage.get("completion_tokens")) or self.token_chunks
            if generated:
                # Tokens came but no text: a small model emitting only whitespace under a JSON grammar.
                raise MalformedReply("only whitespace, until it hit the max tokens limit")
            # LM Studio's other way of saying the prompt overflowed the context window.
            raise ContextTooLong(self.model, "the server returned no text")
        return ChatResult(
            content=content,
            reasoning=reasoning,
            usage=self._usage(streamed),
            finish_reason=self.finish_reason,
            response_format=response_format,
            model=self.model,
        )

    def _usage(self, streamed: bool) -> Usage:
        ended = time.monotonic()
        duration = ended - self.started_at
        usage = self.server_usage or {}
        completion = _int_or_none(usage.get("completion_tokens"))
        if completion is None and streamed:
            completion = self.token_chunks  # one stream delta ≈ one token on llama.cpp servers
        ttft = self.first_token_at - self.started_at if streamed and self.first_token_at else None
        generating = ended - self.first_token_at if streamed and self.first_token_at else duration
        return Usage(
            prompt_tokens=_int_or_none(usage.get("prompt_tokens")),
            completion_tokens=completion,
            time_to_first_token_s=ttft,
            duration_s=duration,
            tokens_per_s=completion / generating if completion and generating > 0 else None,
            from_server=self.server_usage is not None,
        )


def _choices(obj: dict[str, Any], partial: str) -> list[dict[str, Any]]:
    choices = obj.get("choices", [])
    if not isinstance(choices, list) or not all(isinstance(c, dict) for c in choices):
        raise MalformedReply("choices that are not a list of objects", partial=partial)
    return choices


def _reasoning_of(part: dict[str, Any]) -> object:
    # LM Studio and DeepSeek use `reasoning_content`; OpenRouter and newer servers `reasoning`.
    return part.get("reasoning_content") or part.get("reasoning")


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _call(callback: TextCallback | None, text: str) -> None:
    if callback is not None and text:
        callback(text)
