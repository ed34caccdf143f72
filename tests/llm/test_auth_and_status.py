"""API key handling and the server status probe (LM Studio's /api/v0 and plain OpenAI servers)."""
from __future__ import annotations

import httpx
import pytest

from negotiator_app.llm import LLMError, ModelInfo, ServerUnreachable
from tests.fakes.fake_lmstudio import FakeReply
from tests.llm.support import client, closed_port_url, complete, request, run

SECRET = "sk-very-secret-123"


async def status_of(url: str, **options):
    async with client(url, **options) as llm:
        return await llm.status()


def test_api_key_is_sent_as_bearer_on_every_request(fake):
    async def scenario():
        async with client(fake.base_url, api_key=SECRET) as llm:
            await llm.status()
            await llm.complete(request())

    run(scenario())

    assert len(fake.all_requests) == 3  # /v1/models, /api/v0/models, chat
    for _method, _path, headers, _body in fake.all_requests:
        assert headers["authorization"] == f"Bearer {SECRET}"


def test_no_authorization_header_without_a_key(fake):
    run(complete(fake.base_url))
    assert "authorization" not in fake.all_requests[0][2]


def test_api_key_never_shows_in_repr_or_errors(fake):
    fake.default_reply = FakeReply(fault="status", status=401, body=f"bad key {SECRET}")
    llm = client(fake.base_url, api_key=SECRET)
    assert SECRET not in repr(llm) and "***" in repr(llm)
    run(llm.aclose())

    with pytest.raises(LLMError) as caught:
        run(complete(fake.base_url, api_key=SECRET))

    error = caught.value
    assert SECRET not in str(error) and SECRET not in repr(error)
    assert SECRET not in repr(error.__dict__)
    assert "bad key ***" in str(error)


def test_a_server_that_wants_a_key_says_where_to_enter_it(fake):
    fake.default_reply = FakeReply(fault="status", status=401, body="Unauthorized")
    with pytest.raises(LLMError) as caught:
        run(complete(fake.base_url))
    assert "needs an API key: enter it in Settings" in str(caught.value) and "--api-key" in str(caught.value)


def test_status_with_lmstudio_api_reports_loaded_state_and_context(fake):
    status = run(status_of(fake.base_url))

    assert status.reachable and status.error is None and status.base_url == fake.base_url
    assert status.models == [
        ModelInfo(id="fake-model", loaded=True, context_length=8192),
        ModelInfo(id="other-model", loaded=False, context_length=32768),
    ]


def test_status_without_lmstudio_api_leaves_loaded_unknown(fake):
    fake.lmstudio_api = False

    status = run(status_of(fake.base_url))

    assert status.reachable and status.error is None
    assert [(m.id, m.loaded, m.context_length) for m in status.models] == [
        ("fake-model", None, None), ("other-model", None, None)]
    assert [path for _, path, _, _ in fake.all_requests] == ["/v1/models", "/api/v0/models"]


def test_status_of_a_closed_port_is_unreachable_and_never_raises():
    url = closed_port_url()

    status = run(status_of(url))

    assert status.reachable is False and status.models == []
    assert status.error is not None and url in status.error


def test_list_models_raises_unreachable_for_a_closed_port():
    async def scenario():
        async with client(closed_port_url()) as llm:
            await llm.list_models()

    with pytest.raises(ServerUnreachable):
        run(scenario())


def test_status_of_a_server_answering_nonsense_is_reachable_with_an_error():
    transport = httpx.MockTransport(lambda req: httpx.Response(200, content=b"<html>hi</html>"))

    status = run(status_of("http://test/v1", transport=transport))

    assert status.reachable is True and status.models == []
    assert status.error is not None and "could not be read" in status.error
