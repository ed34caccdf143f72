"""Which model a request uses: one rule (llm.choose_model) for the engine, the CLI's resume and the debrief."""
from __future__ import annotations

import pytest

from negotiator_app.llm import NoModelAvailable, choose_model
from tests.llm.support import client, run


def chosen(fake, *named):
    async def scenario():
        async with client(fake.base_url) as llm:
            return await choose_model(llm, *named)
    return run(scenario())


def model_listings(fake) -> int:
    return sum(1 for _method, path, _headers, _body in fake.all_requests if path.endswith("/models"))


def test_the_first_name_given_wins_and_the_server_is_not_asked(fake):
    assert chosen(fake, None, "", "session-model", "run-model") == "session-model"
    assert model_listings(fake) == 0


def test_without_a_name_the_servers_first_loaded_model_is_used(fake):
    fake.models = [{"id": "big", "state": "not-loaded"}, {"id": "small", "state": "loaded"}]
    assert chosen(fake, None, "") == "small"


def test_when_the_server_cannot_say_what_is_loaded_its_first_model_is_used(fake):
    fake.models = [{"id": "big", "state": "not-loaded"}, {"id": "small", "state": "not-loaded"}]
    assert chosen(fake) == "big"
    fake.lmstudio_api = False  # a plain OpenAI server: loaded state unknown
    fake.models = [{"id": "first"}, {"id": "second"}]
    assert chosen(fake) == "first"


def test_a_server_with_no_model_says_to_load_one(fake):
    fake.models = []
    with pytest.raises(NoModelAvailable) as caught:
        chosen(fake)
    assert f"The server at {fake.base_url} offers no model" in str(caught.value)
