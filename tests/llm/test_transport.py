"""The lean HTTP/1.1 transport under httpx, over real sockets: the fake LM Studio and a few raw byte servers."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from negotiator_app.llm import LLMTimeout, ServerUnreachable, StreamInterrupted
from negotiator_app.llm.transport import LeanTransport, default_transport
from tests.fakes.fake_lmstudio import FakeReply
from tests.fakes.fake_reply import split_chunks
from tests.llm.support import client, closed_port_url, raw_http_server, request, run

BODY = {"model": "fake-model", "stream": True, "messages": [{"role": "user", "content": "Your price?"}]}


def lean_client(**timeouts: float | None) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=LeanTransport(), timeout=httpx.Timeout(timeouts.get("read", 5.0), **timeouts))


async def wait_until(predicate, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting for the condition"
        await asyncio.sleep(0.01)


def events(raw: bytes) -> list[dict]:
    lines = [line[6:] for line in raw.split(b"\n") if line.startswith(b"data: ")]
    return [json.loads(line) for line in lines if line != b"[DONE]"]


def test_a_chunked_stream_arrives_piece_by_piece_and_whole(fake):
    fake.default_reply = FakeReply(content="The best price is 42 dollars today.", token_delay_s=0.02)

    async def go():
        pieces = []
        async with lean_client() as http, http.stream("POST", f"{fake.base_url}/chat/completions", json=BODY) as reply:
            assert reply.status_code == 200 and reply.headers["content-type"] == "text/event-stream"
            async for piece in reply.aiter_bytes():
                pieces.append(piece)
        return pieces

    pieces = run(go())
    said = "".join(e["choices"][0]["delta"].get("content", "") for e in events(b"".join(pieces)) if e["choices"])
    assert said == "The best price is 42 dollars today."
    # Each HTTP chunk is handed over as it comes (one SSE event per piece here), not once the body is complete.
    assert len(pieces) >= len(split_chunks(said))


def test_requests_one_after_another_reuse_one_keep_alive_connection(fake):
    async def go():
        async with lean_client() as http:
            for n in range(5):
                reply = await http.post(f"{fake.base_url}/chat/completions", json={**BODY, "stream": n % 2 == 0})
                assert reply.status_code == 200 and reply.content
            models = await http.get(f"{fake.base_url}/models")  # a Content-Length body on the same connection
            assert [m["id"] for m in models.json()["data"]] == ["fake-model", "other-model"]
            return len(fake._connections)

    assert run(go()) == 1
    assert len(fake.requests) == 5


def test_an_idle_connection_the_server_closed_is_replaced_without_an_error(fake):
    async def go():
        async with lean_client() as http:
            assert (await http.get(f"{fake.base_url}/models")).status_code == 200
            port = int(fake.base_url.rsplit(":", 1)[1].split("/")[0])
            fake.stop()  # a restarted server: the pooled connection is dead
            fake.start(port)
            return (await http.get(f"{fake.base_url}/models")).status_code

    assert run(go()) == 200


def test_a_server_dying_mid_stream_raises_a_transport_error_and_the_client_keeps_the_partial_text(fake):
    fake.default_reply = FakeReply(content="I can offer 80 per unit for ten.", fault="drop", drop_after=3)

    async def go():
        async with lean_client() as http, http.stream("POST", f"{fake.base_url}/chat/completions", json=BODY) as reply:
            async for _ in reply.aiter_bytes():
                pass

    with pytest.raises(httpx.RemoteProtocolError, match="peer closed connection"):
        run(go())
    with pytest.raises(StreamInterrupted) as caught:
        run(_complete(fake.base_url))
    assert caught.value.partial == "".join(split_chunks("I can offer 80 per unit for ten.")[:3]).strip()


async def _complete(base_url: str, **options):
    async with client(base_url, max_retries=0, **options) as llm:
        return await llm.complete(request(stream=True))


def test_a_silent_server_hits_the_read_timeout(fake):
    fake.default_reply = FakeReply(content="Slow but sure.", token_delay_s=1.0)

    async def go():
        async with lean_client(read=0.2) as http, http.stream("POST", f"{fake.base_url}/chat/completions",
                                                               json=BODY) as reply:
            async for _ in reply.aiter_bytes():
                pass

    with pytest.raises(httpx.ReadTimeout):
        run(go())
    with pytest.raises(LLMTimeout):
        run(_complete(fake.base_url, read_timeout=0.2))


def test_a_steady_stream_slower_than_the_read_timeout_in_total_is_not_cut(fake):
    # The timeout bounds each wait, not the whole body: 8 pieces 0.1 s apart outlast a 0.3 s read timeout.
    fake.default_reply = FakeReply(content="one two three four five six", token_delay_s=0.1)
    assert run(_complete(fake.base_url, read_timeout=0.3)).content == "one two three four five six"


def test_nothing_listening_is_a_connect_error_and_the_client_says_the_server_is_not_running():
    async def go():
        async with lean_client() as http:
            await http.get(closed_port_url())

    with pytest.raises(httpx.ConnectError):
        run(go())
    with pytest.raises(ServerUnreachable):
        run(_complete(closed_port_url()))


def test_cancelling_mid_stream_closes_the_socket_so_the_server_stops(fake):
    fake.default_reply = FakeReply(content=" ".join(["word"] * 200), token_delay_s=0.02)

    async def go():
        transport = LeanTransport()
        got = asyncio.Event()

        async def read():
            async with httpx.AsyncClient(transport=transport) as http, \
                    http.stream("POST", f"{fake.base_url}/chat/completions", json=BODY) as reply:
                async for _ in reply.aiter_bytes():
                    got.set()

        task = asyncio.create_task(read())
        await asyncio.wait_for(got.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await wait_until(lambda: fake.disconnects == 1)
        return transport

    transport = run(go())
    assert not transport._open and not any(transport._idle.values())


async def _raw_server(answer: bytes, close: bool):
    """A server that answers every request with `answer` (and hangs up after it when `close`)."""
    async def respond(_head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer)
        await writer.drain()
        return close

    return await raw_http_server(respond)


@pytest.mark.parametrize(("answer", "close", "connections"), [
    (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", False, 1),
    (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", False, 1),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;ext=1\r\nhe\r\n3\r\nllo\r\n0\r\nX-Trailer: 1\r\n\r\n",
     False, 1),
    (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello", True, 2),
    (b"HTTP/1.0 200 OK\r\n\r\nhello", True, 2),  # no length: the body ends when the server hangs up
], ids=["content-length", "interim-100", "chunked-with-extension-and-trailer", "connection-close", "read-to-close"])
def test_every_body_framing_reads_the_same_body_and_reuses_the_connection_only_when_allowed(answer, close, connections):
    async def go():
        server, url, served = await _raw_server(answer, close)
        async with server, lean_client() as http:
            bodies = [(await http.post(url, content=b"{}")).content for _ in range(2)]
        return bodies, served["connections"]

    assert run(go()) == ([b"hello", b"hello"], connections)


@pytest.mark.parametrize("answer", [b"SSH-2.0-OpenSSH\r\n\r\n", b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
                                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"])
def test_garbage_instead_of_http_is_a_protocol_error(answer):
    async def go():
        server, url, _ = await _raw_server(answer, False)
        async with server, lean_client() as http:
            await http.post(url, content=b"{}")

    with pytest.raises(httpx.RemoteProtocolError):
        run(go())


def test_a_proxy_in_the_environment_leaves_the_request_to_httpx_itself(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert default_transport("http://models.example:8000/v1") is None
    monkeypatch.setenv("NO_PROXY", "models.example")
    assert isinstance(default_transport("http://models.example:8000/v1"), LeanTransport)
