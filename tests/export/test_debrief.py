"""The AI debrief against the fake LM Studio (real HTTP) and a real SQLite file: prompts, storage, exports."""
from __future__ import annotations

import asyncio
import copy
import json
from datetime import timedelta

import jsonschema
import pytest

from negotiator_app.domain import Message, Role
from negotiator_app.engine.context import estimate_tokens
from negotiator_app.export import (
    DebriefError, ImportError_, import_session, item_prompt, session_log, session_markdown, write_debriefs, write_json,
)
from negotiator_app.llm import LLMClient
from negotiator_app.paths import resource_path
from negotiator_app.storage import Store
from tests.export.test_logs import strip
from tests.fakes.fake_lmstudio import FakeLMStudio, FakeReply
from tests.storage.support import RUN_CABLES, RUN_TIES, T0, scripted_session, small_config

CABLE_TEXT = "Bolt opened at 7.00 (#2); Acme slipped below its floor at #3, then offered 6.00 at #5. See #42."
TIES_TEXT = "Bolt refused every ask (#2, #4, #6) and the buyer walked away."
SESSION_TEXT = "One deal out of three items: Acme at room-1 #5; the ties failed (room-2 #6, room-2 #99)."


def scripted(body: dict) -> str:
    prompt = body["messages"][0]["content"]
    if "ITEM: Cable tie," in prompt:
        return TIES_TEXT
    if "ITEM: Cable," in prompt:
        return CABLE_TEXT
    return SESSION_TEXT


@pytest.fixture
def fake():
    with FakeLMStudio() as server:
        server.responder = scripted
        yield server


def write(store: Store, session_id: int, fake: FakeLMStudio, **kw):
    async def go():
        async with LLMClient(fake.base_url, max_retries=0) as client:
            return await write_debriefs(store, session_id, client, **kw)

    return asyncio.run(go())


def prompts(fake: FakeLMStudio) -> list[str]:
    bodies = [b for b in fake.requests if "messages" in b]
    return [b["messages"][0]["content"] for b in bodies]


def test_item_prompt_holds_the_numbered_transcript_private_numbers_and_code_metrics(store, fake):
    session_id = scripted_session(store)
    write(store, session_id, fake)
    bodies = [b for b in fake.requests if "messages" in b]
    assert len(bodies) == 3  # one per run room (Widget was skipped: no room, no debrief), then the session
    for body in bodies:
        assert [m["role"] for m in body["messages"]] == ["user"]  # one turn: some servers drop system messages
        assert body["model"] == "m1" and "response_format" not in body  # plain text, the session's model
    cable, ties, overall = prompts(fake)
    assert "#1 r1 Pat → everyone: Hello, best price?" in cable
    assert "#3 r1 Acme → Pat: 3.50! [offer 3.50/unit × 10, NOT binding]" in cable
    assert "#5 r2 Acme → Pat: 6 then. [offer 6.00/unit × 10, binding]" in cable
    assert "may pay at most 8.00 per unit" in cable  # the operator's view: private numbers are fine
    assert "- Acme: floor 4.00, ask 9.00, 20 in stock" in cable and "- Bolt: floor 5.00, ask 10.00" in cable
    # The metrics computed in code, given as facts: saving 3.00 × 10 against Acme's ask of 9.00, surplus (8-6)/(8-4).
    assert "Saving against the ask: 3.00 per unit, 30.00 in total (33.3%)" in cable
    assert "Buyer's share of the surplus (max − price) / (max − floor): 50%" in cable
    assert "offer below floor (offered 3.50 per unit; limit least price 4.00) at #3" in cable
    assert "do not recompute" in cable and "like #4" in cable
    assert "think first" not in cable  # hidden reasoning of the agents is not part of the debrief
    assert "ITEM: Cable tie, quantity 5" in ties and "NO DEAL (the buyer walked away)" in ties
    assert "#6 r3 Bolt → Pat: No." in ties
    # The session debrief is written from the item debriefs and the code's totals.
    assert "Total spent: 60.00; at the winning sellers' asks it would cost 90.00; saved 30.00 (33.3%)" in overall
    assert "[room-1 Cable] Bolt opened at 7.00 (room-1 #2)" in overall and TIES_TEXT[:20] in overall
    assert "Widget: skipped" in overall


def test_debriefs_are_stored_reloaded_and_unknown_citations_flagged(tmp_path, fake):
    path = tmp_path / "d.sqlite3"
    with Store.open(path) as store:
        session_id = scripted_session(store)
        returned = write(store, session_id, fake)
    with Store.open(path) as store:  # a fresh connection: really stored
        stored = store.load_debriefs(session_id)
    assert stored == returned
    overall, cable, ties = stored
    assert overall.room_key is None and overall.run_id is None and overall.text == SESSION_TEXT
    assert overall.unknown_citations == ["room-2 #99"]  # room-1 #5 and room-2 #6 exist
    assert (cable.room_key, cable.item, cable.run_id, cable.model) == ("room-1", "Cable", RUN_CABLES, "m1")
    assert cable.text == CABLE_TEXT and cable.unknown_citations == ["#42"]  # kept in the text, listed
    assert (ties.room_key, ties.run_id, ties.unknown_citations) == ("room-2", RUN_TIES, [])


def test_regenerate_replaces_the_whole_set(store, fake):
    session_id = scripted_session(store)
    write(store, session_id, fake)
    fake.responder = lambda body: "Second opinion, citing #1."
    write(store, session_id, fake, model="other-model")
    stored = store.load_debriefs(session_id)
    assert len(stored) == 3 and {d.text for d in stored} == {"Second opinion, citing #1."}
    assert {d.model for d in stored} == {"other-model"}
    assert [b["model"] for b in fake.requests[-3:]] == ["other-model"] * 3


@pytest.mark.parametrize(("reply", "reason", "words"), [
    (FakeReply(content="   "), "bad_output", "empty debrief"),
    (FakeReply(content="", reasoning="thinking " * 50, finish_reason="length"), "bad_output", "used all its tokens"),
    (FakeReply(fault="status", status=400, body="model crashed"), "server", "model crashed"),
])
def test_bad_output_or_server_error_stores_nothing_and_keeps_the_old_debrief(store, fake, reply, reason, words):
    session_id = scripted_session(store)
    before = write(store, session_id, fake)
    fake.responder = lambda body: reply if "ITEM: Cable tie" in body["messages"][0]["content"] else "Fine #1."
    with pytest.raises(DebriefError) as caught:
        write(store, session_id, fake)
    assert caught.value.reason == reason and words in caught.value.user_message
    assert "Nothing was stored" in caught.value.user_message or caught.value.user_message.startswith(
        "No debrief was written for “Cable tie”: ")
    assert store.load_debriefs(session_id) == before


def test_hidden_reasoning_is_not_part_of_the_debrief(store, fake):
    session_id = scripted_session(store)
    fake.responder = lambda body: FakeReply(content="Acme won at #5.", reasoning="SECRET PLAN", reasoning_form="think")
    stored = write(store, session_id, fake)
    assert {d.text for d in stored} == {"Acme won at #5."}
    assert "SECRET" not in session_markdown(store, session_id) + json.dumps(session_log(store, session_id))


def test_a_session_without_runs_gets_a_clear_error(store, fake):
    session_id = store.create_session(small_config()).id
    with pytest.raises(DebriefError, match="run at least one room") as caught:
        write(store, session_id, fake)
    assert caught.value.reason == "no_runs" and store.load_debriefs(session_id) == []
    assert not [b for b in fake.requests if "messages" in b]


def test_a_long_transcript_is_cut_to_the_context_budget_keeping_the_opening_and_the_end(store):
    scripted_session(store)
    record = store.load_run(RUN_TIES)
    long = [Message(seq=n, round=n, sender="Pat" if n % 2 else "Bolt", role=Role.BUYER if n % 2 else Role.SELLER,
                    recipients=["Bolt"] if n % 2 else ["Pat"], text=f"message {n} " + "blah " * 80,
                    created_at=T0 + timedelta(seconds=n)) for n in range(1, 61)]
    record = record.model_copy(update={"messages": long})
    prompt = item_prompt(record, context_tokens=2048, reply_tokens=700)
    assert estimate_tokens([{"content": prompt}]) <= 2048 - 700
    assert "#1 r1 Pat → Bolt: message 1 " in prompt and "#2 r2 Bolt" in prompt  # the opening
    assert "#60 r60 Bolt → Pat: message 60 " in prompt  # the end
    assert "omitted for length" in prompt and "#30 r30" not in prompt
    assert "Now write the debrief" in prompt  # the instruction after the transcript survives


def test_session_log_and_markdown_include_the_debriefs(store, fake):
    session_id = scripted_session(store)
    write(store, session_id, fake)
    doc = json.loads(json.dumps(session_log(store, session_id)))
    jsonschema.validate(doc, json.loads(resource_path("schemas", "session_log.schema.json").read_text("utf-8")))
    assert [(d["scope"], d["room_key"], d["run_id"]) for d in doc["debriefs"]] == [
        ("session", None, None), ("item", "room-1", RUN_CABLES), ("item", "room-2", RUN_TIES)]
    assert doc["debriefs"][1]["text"] == CABLE_TEXT and doc["debriefs"][1]["unknown_citations"] == ["#42"]
    markdown = session_markdown(store, session_id)
    assert "## AI debrief" in markdown and SESSION_TEXT in markdown and CABLE_TEXT in markdown
    assert "### Cable\n" in markdown and "(room-1" not in markdown  # headed by the item, not the room key
    assert f"_About run `{RUN_CABLES}` of this item._" in markdown
    assert "Cites messages that do not exist in that run: #42." in markdown
    assert markdown.index("## AI debrief") < markdown.index("#### Transcript")


def test_export_import_export_keeps_the_debriefs(store, fake, tmp_path):
    session_id = scripted_session(store)
    write(store, session_id, fake)
    first = session_log(store, session_id)
    imported = import_session(store, write_json(tmp_path / "session.json", first))
    second = session_log(store, imported.id)
    assert strip(second) == strip(first) and len(second["debriefs"]) == 3
    # The item debriefs point at the imported runs (new ids), not at the original ones.
    new_runs = {r.room_key: r.run_id for r in store.list_runs(imported.id)}
    assert {d.room_key: d.run_id for d in store.load_debriefs(imported.id) if d.room_key} == new_runs
    assert second["debriefs"][0]["created_at"] == first["debriefs"][0]["created_at"]


def test_import_refuses_a_debrief_of_a_run_not_in_the_log(store, fake):
    session_id = scripted_session(store)
    write(store, session_id, fake)
    doc = copy.deepcopy(session_log(store, session_id))
    doc["debriefs"][1]["run_id"] = "f" * 32
    doc["debriefs"].append(copy.deepcopy(doc["debriefs"][2]))
    doc["debriefs"].append({**doc["debriefs"][0], "room_key": "room-1"})  # a session debrief with a room
    with pytest.raises(ImportError_) as caught:
        import_session(store, doc)
    errors = caught.value.errors
    assert any(e.startswith("debriefs[4]") and "session debrief" in e for e in errors)
    caught_without_shape = copy.deepcopy(doc)
    caught_without_shape["debriefs"].pop()
    with pytest.raises(ImportError_) as caught:
        import_session(store, caught_without_shape)
    assert caught.value.errors == [f"debriefs[1].run_id: '{'f' * 32}' is not a run of room-1 in this log",
                                   "debriefs[3]: a second debrief for room-2"]
    assert len(store.list_sessions()) == 1
