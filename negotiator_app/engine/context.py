"""Context budget: fit a prompt into the model's context, dropping the oldest turns first.

The system prompt (the agent's constraints) and the last user message (round, standing offers) are
always kept; the history between them is trimmed from the oldest end.
"""
from __future__ import annotations

# Deliberately pessimistic (~3 characters a token, plus per-message overhead): a prompt that the
# server rejects for length costs a whole turn, one a little shorter than necessary costs nothing.
CHARS_PER_TOKEN = 3.0
TOKENS_PER_MESSAGE = 6
SAFETY_TOKENS = 64


def estimate_tokens(messages: list[dict]) -> int:
    return sum(int(len(m["content"]) / CHARS_PER_TOKEN) + TOKENS_PER_MESSAGE for m in messages)


def fit_to_context(system: str, history: list[dict], last_user: str, context_tokens: int, reply_tokens: int) -> list[dict]:
    """Messages for one request: system, as much recent history as fits, then the last user message."""
    budget = context_tokens - reply_tokens - SAFETY_TOKENS
    head = [{"role": "system", "content": system}]
    tail = [{"role": "user", "content": last_user}]
    room = budget - estimate_tokens(head + tail)
    kept: list[dict] = []
    for message in reversed(history):
        cost = estimate_tokens([message])
        if cost > room:
            break
        kept.append(message)
        room -= cost
    kept.reverse()
    dropped = len(history) - len(kept)
    if dropped:
        tail[0]["content"] = f"[{dropped} earlier messages omitted]\n" + last_user
    messages = _merge_same_role(head + kept + tail)
    if messages[1]["role"] == "assistant":
        # Some templates (Gemma's) also insist the conversation opens with a user turn.
        messages.insert(1, {"role": "user", "content": "[The negotiation begins.]"})
    # The instructions open the first user turn instead of a system message: some servers
    # (llama-cpp-python's Gemma format) silently drop system messages. The text still comes first
    # and stays identical across turns, so the server's prompt cache keeps working.
    system_message = messages.pop(0)
    messages[0] = {"role": "user", "content": system_message["content"] + "\n\n" + messages[0]["content"]}
    return messages


def _merge_same_role(messages: list[dict]) -> list[dict]:
    """Chat templates such as Gemma's require user/assistant turns to alternate."""
    merged: list[dict] = []
    for message in messages:
        if merged and merged[-1]["role"] == message["role"] and message["role"] != "system":
            merged[-1] = {"role": message["role"], "content": merged[-1]["content"] + "\n\n" + message["content"]}
        else:
            merged.append(dict(message))
    return merged
