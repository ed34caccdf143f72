"""Form text → a SessionConfig, or every problem as (location, sentence) pairs to pin on the widgets."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ...domain import SessionConfig
from ...domain.errors import describe_error

Loc = tuple[Any, ...]


@dataclass(frozen=True)
class Problem:
    loc: Loc
    message: str


@dataclass
class FormCheck:
    config: SessionConfig | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.config is not None


def number(text: str) -> Any:
    """A typed number as int or float; anything else is passed on so the domain says what is wrong."""
    text = text.strip().replace(" ", "")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def check(data: dict[str, Any]) -> FormCheck:
    try:
        return FormCheck(SessionConfig.model_validate(data))
    except ValidationError as exc:
        problems = [Problem(tuple(err.get("loc", ())), describe_error(err, data)) for err in exc.errors(include_url=False)]
        return FormCheck(None, problems)


def quoted_names(message: str) -> list[str]:
    """Names a model-level rule quotes ("seller 'Acme' is listed twice") so its widget can be found."""
    return re.findall(r"'([^']+)'", message)
