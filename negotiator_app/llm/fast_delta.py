"""Reads the usual stream event — a plain content delta — without parsing its JSON, from a template of the stream's own.

Parsing JSON is most of the client's cost per streamed chunk, and a stream's events are the same object again and again
with another piece of text. Once a plain content delta has been parsed, the text around its content's string literal
is remembered (and checked: the same text around another literal parses to the same object with that content). An
event that is that text around one string literal is that object with that content, so its content is read straight
off the line (a literal with escapes, as a JSON reply's quotes are, is decoded alone). Anything else — another shape,
finish reasons, usage, errors — is parsed.
"""
from __future__ import annotations

import json
import re
from typing import Any

_SIMPLE_LITERAL = re.compile(r'"[^"\\\x00-\x1f]*"')  # a JSON string with nothing to decode
_CONTENT_LITERAL = re.compile(r'"content"\s*:\s*("(?:[^"\\\x00-\x1f]|\\.)*")')
_PROBE = "\ue000"  # a private-use character: stands in for the content while a template is checked


class DeltaTemplate:
    """One per stream: `content(data)` for an event matching the template, `learn(data, parsed)` after a parse."""

    def __init__(self) -> None:
        self._prefix: str | None = None
        self._suffix = ""
        self.model: str | None = None  # the template's "model" (what parsing the event would set)

    def content(self, data: str) -> str | None:
        """The content of a plain content delta shaped like the template; None for anything else (parse it)."""
        prefix = self._prefix
        if prefix is None or not data.startswith(prefix) or not data.endswith(self._suffix):
            return None
        literal = data[len(prefix) : len(data) - len(self._suffix)]
        if _SIMPLE_LITERAL.fullmatch(literal):
            return literal[1:-1]
        if "\\" not in literal:
            return None
        try:  # escapes: the literal alone is decoded, far cheaper than the event (and the same if it is one string)
            value = json.loads(literal)
        except ValueError:  # a bad escape, or not one JSON value: the parse of the whole event reports it
            return None
        return value if type(value) is str else None

    def learn(self, data: str, parsed: Any) -> None:
        """After `data` was parsed into `parsed`: a plain content delta becomes the template; other events leave it."""
        prefix = self._prefix
        if prefix is not None and data.startswith(prefix) and data.endswith(self._suffix):
            return  # the template's own shape (its literal was left to the parse): nothing new to learn
        content = _plain_content(parsed)
        if content is None:
            return
        for match in _CONTENT_LITERAL.finditer(data):
            start, end = match.span(1)
            prefix, suffix = data[:start], data[end:]
            try:
                probe = json.loads(f'{prefix}"{_PROBE}"{suffix}')
            except ValueError:
                continue
            if _plain_content(probe) != _PROBE:
                continue  # this literal is not the delta's content (a duplicate key, text inside another string)
            probe["choices"][0]["delta"]["content"] = content
            if probe == parsed:
                self._prefix, self._suffix = prefix, suffix
                self.model = parsed.get("model")
                return


def _plain_content(event: Any) -> str | None:
    """The content of an event that carries only a content delta (no finish, usage, error or reasoning); else None."""
    if type(event) is not dict or event.get("error") or isinstance(event.get("usage"), dict):
        return None
    choices = event.get("choices")
    if type(choices) is not list or len(choices) != 1 or type(choices[0]) is not dict:
        return None
    choice = choices[0]
    delta = choice.get("delta")
    if choice.get("finish_reason") or type(delta) is not dict:
        return None
    if delta.get("reasoning_content") or delta.get("reasoning"):
        return None
    content = delta.get("content")
    return content if type(content) is str else None
