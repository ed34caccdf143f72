"""Reasoning stays apart from the answer in all three forms, even with tags split across chunks."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator_app.llm.reasoning import ThinkSplitter
from tests.fakes.fake_lmstudio import FakeReply
from tests.fakes.fake_reply import split_chunks
from tests.llm.support import complete, request, run

ANSWER = "I can do 42 per unit."
THOUGHT = "Floor is 40, so 42 keeps margin."


def _split(chunks: list[str]) -> tuple[str, str, list[tuple[str, str]]]:
    splitter = ThinkSplitter()
    pieces = [p for chunk in chunks for p in splitter.feed(chunk)] + splitter.flush()
    return splitter.content, splitter.reasoning, pieces


@pytest.mark.parametrize("form", ["reasoning_content", "reasoning", "think"])
@pytest.mark.parametrize("stream", [True, False])
def test_each_reasoning_form_is_kept_out_of_the_answer(fake, form, stream):
    fake.default_reply = FakeReply(content=ANSWER, reasoning=THOUGHT, reasoning_form=form)
    shown: list[str] = []
    hidden: list[str] = []

    result = run(complete(fake.base_url, request(stream=stream), on_content=shown.append,
                          on_reasoning=hidden.append))

    assert result.content == ANSWER
    assert result.reasoning == THOUGHT
    assert "".join(shown) == ANSWER
    assert "".join(hidden) == THOUGHT
    assert not any("think" in piece or "Floor" in piece for piece in shown)


def test_fake_really_splits_the_think_tags_across_chunks():
    chunks = split_chunks(f"<think>{THOUGHT}</think>{ANSWER}")
    assert "<think>" not in chunks and not any("<think>" in c for c in chunks)
    assert any(c.startswith("<thi") for c in chunks)


def test_open_tag_split_in_two_chunks():
    content, reasoning, pieces = _split(["<th", "ink>plan</th", "ink>answer"])
    assert (content, reasoning) == ("answer", "plan")
    assert ("content", "<th") not in pieces


def test_close_tag_split_one_char_at_a_time():
    content, reasoning, _ = _split(list("<think>a<b</think>c"))
    assert (content, reasoning) == ("c", "a<b")


def test_an_angle_bracket_that_is_not_a_tag_is_kept_in_the_answer():
    content, reasoning, _ = _split(["price <", "= 40 <th"])
    assert (content, reasoning) == ("price <= 40 <th", "")


def test_closing_tag_without_opening_tag_makes_what_came_before_reasoning():
    content, reasoning, _ = _split(["the buyer seems keen", "</think>", "Offer: 50"])
    assert (content, reasoning) == ("Offer: 50", "the buyer seems keen")


@settings(max_examples=200, deadline=None)
@given(
    thought=st.text(alphabet="ab <>/thinkx", max_size=20).filter(lambda t: "</think>" not in t),
    answer=st.text(alphabet="ab <>/tx", max_size=20),
    cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=8),
)
def test_any_chunking_gives_the_same_split(thought, answer, cuts):
    text = f"<think>{thought}</think>{answer}"
    bounds = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    chunks = [text[a:b] for a, b in zip(bounds, bounds[1:])]

    content, reasoning, pieces = _split(chunks)

    assert (content, reasoning) == (answer, thought)
    assert "".join(t for kind, t in pieces if kind == "content") == answer


def test_a_reply_that_is_all_reasoning_gives_empty_content(fake):
    fake.default_reply = FakeReply(content="", reasoning="still thinking about the floor",
                                   reasoning_form="think", finish_reason="length")
    shown: list[str] = []

    result = run(complete(fake.base_url, on_content=shown.append))

    assert result.content == "" and shown == []
    assert result.reasoning == "still thinking about the floor"
    assert result.finish_reason == "length"
