"""Fixtures for LLM client tests: a fake LM Studio on a real socket and a quick client."""
from __future__ import annotations

import pytest

from tests.fakes.fake_lmstudio import FakeLMStudio


@pytest.fixture
def fake():
    with FakeLMStudio() as server:
        yield server
