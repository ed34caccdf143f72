"""Plain content deltas read without a JSON parse: exactly what parsing them gives, and anything else still parsed."""
from __future__ import annotations

import json

import pytest

from negotiator_app.llm import MalformedReply
from negotiator_app.llm.fast_delta import DeltaTemplate
from tests.llm.support import client, request, run
from tests.llm.test_transport import _raw_server

LMSTUDIO = ('{{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"qwen","system_fingerprint":"qwen",'
            '"choices":[{{"index":0,"delta":{{"content":{}}},"logprobs":null,"finish_reason":null}}]}}')
LLAMA_CPP = ('{{"choices":[{{"finish_reason":null,"index":0,"delta":{{"content":{}}}}}],"created":1,"id":"x",'
             '"model":"m","object":"chat.completion.chunk"}}')


def event(shape: str, text: str) -> str:
    return shape.format(json.dumps(text))


@pytest.mark.parametrize("shape", [LMSTUDIO, LLAMA_CPP], ids=["lmstudio", "llama.cpp"])
def test_after_one_parsed_delta_the_same_shape_is_read_without_parsing_and_anything_else_is_left_to_json(shape):
    template = DeltaTemplate()
    first = event(shape, "Hello")
    assert template.content(first) is None  # nothing learnt yet
    template.learn(first, json.loads(first))
    assert template.content(event(shape, " there, 42 dollars")) == " there, 42 dollars"
    assert template.content(event(shape, "")) == ""
    assert template.model == json.loads(first)["model"]
    # A literal with escapes (a JSON reply's quotes) is decoded alone, to what parsing the event gives.
    for text in ['{"message": "say \\"hi\\"",', "line\nbreak", "é", "\U0001F600 a\\b"]:
        assert template.content(event(shape, text)) == text == json.loads(event(shape, text))["choices"][0]["delta"]["content"]
    # A bad escape, another shape, a finish reason, or a broken line with the template's ends: parsed as before.
    assert template.content(shape.format('"bad \\x escape"')) is None
    assert template.content(shape.replace('"content":{}', '"reasoning_content":{}').format('"x"')) is None
    assert template.content(shape.replace("null", '"stop"', 1).format('"x"') if '"finish_reason":null' in shape
                            else shape.format('"x"').replace('"finish_reason":null', '"finish_reason":"stop"')) is None
    assert template.content(shape.format('"a"b"')) is None  # not JSON at all
    assert template.content(shape.format('"tab\there"')) is None  # a raw control character is not JSON either


def test_events_that_are_not_plain_content_deltas_teach_nothing():
    template = DeltaTemplate()
    for other in [
        '{"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}]}',
        '{"choices":[{"index":0,"delta":{"content":"x","reasoning_content":"hm"}}]}',
        '{"choices":[{"index":0,"delta":{"content":"x"}}],"usage":{"completion_tokens":3}}',
        '{"choices":[{"index":0,"delta":{"content":"x"}},{"index":1,"delta":{"content":"y"}}]}',
        '{"error":{"message":"boom"},"choices":[{"index":0,"delta":{"content":"x"}}]}',
    ]:
        template.learn(other, json.loads(other))
        assert template.content(other) is None, other


def test_the_template_is_the_literal_json_reads_as_the_content_not_a_look_alike():
    # A "content" inside another string, and a duplicate key whose first value JSON discards.
    tricky = '{"id":"\\"content\\":\\"x\\"","choices":[{"index":0,"delta":{"content":"a","content":"x"}}]}'
    assert json.loads(tricky)["choices"][0]["delta"]["content"] == "x"
    template = DeltaTemplate()
    template.learn(tricky, json.loads(tricky))
    assert template.content(tricky.replace('"x"}', '"y"}')) == "y"
    assert template.content(tricky.replace('"a"', '"b"')) is None


def stream(*events: str) -> bytes:
    lines = [f"data: {e}\n\n".encode() for e in events] + [b"data: [DONE]\n\n"]
    body = b"".join(b"%x\r\n%s\r\n" % (len(line), line) for line in lines) + b"0\r\n\r\n"
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + body


def complete_from(answer: bytes):
    async def go():
        server, url, _ = await _raw_server(answer, close=False)
        deltas: list[str] = []
        async with server, client(url + "/v1") as llm:
            try:
                return await llm.complete(request(stream=True), on_content=deltas.append), deltas
            except MalformedReply as exc:
                return exc, deltas
    return run(go())


def test_a_stream_mixing_usual_and_unusual_events_reads_the_same_as_parsing_each():
    finish = LMSTUDIO.replace('"finish_reason":null', '"finish_reason":"stop"').format('""')
    reasoning = LMSTUDIO.replace('"content":{}', '"reasoning_content":{}').format('"thinking"')
    result, deltas = complete_from(stream(
        event(LMSTUDIO, "The "), event(LMSTUDIO, "price "), reasoning, event(LMSTUDIO, 'is "42"'),
        event(LMSTUDIO.replace('"qwen"', '"other"', 1), " now"), event(LMSTUDIO, ", café"), event(LMSTUDIO, "."),
        finish))
    assert deltas == ["The ", "price ", 'is "42"', " now", ", café", "."]
    assert result.content == 'The price is "42" now, café.'
    assert result.reasoning == "thinking"
    assert result.finish_reason == "stop"
    assert result.model == "qwen"  # as parsing each event sets it: the last event's model


def test_a_broken_event_shaped_like_the_usual_ones_is_still_a_malformed_reply_with_the_text_so_far():
    error, deltas = complete_from(stream(event(LMSTUDIO, "Hello"), event(LMSTUDIO, " there"), LMSTUDIO.format('"a"b"')))
    assert isinstance(error, MalformedReply)
    assert "not JSON" in str(error) and error.partial == "Hello there"
    assert deltas == ["Hello", " there"]
