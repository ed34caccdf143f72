"""Property-based checks: mention parsing and scenario loading never fail in an unexpected way."""
from __future__ import annotations

import copy
import json
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negotiator_app.domain import ScenarioError, SessionConfig, load_scenario, loads_scenario, parse_mentions

from .builders import SCENARIO_DIR

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=15), children, max_size=4),
    max_leaves=25,
)

seller_names = st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=10)
# Text rich in '@', separators and name fragments, so that mentions are actually attempted.
mention_text = st.lists(
    st.sampled_from(["@", " ", "_", "-", ".", "'", "Acme", "acme", "Store", "ß", "ss", "a@b.c", "\n"]) | st.text(max_size=5),
    max_size=30,
).map("".join)


@FAST
@given(text=st.text() | mention_text, names=seller_names)
def test_parse_mentions_never_raises_and_returns_only_known_sellers(text, names):
    result = parse_mentions(text, names)
    assert set(result.sellers) <= set(names)
    assert len(result.sellers) == len(set(result.sellers))
    assert all(isinstance(handle, str) and handle for handle in result.unknown)


word = st.text(alphabet=st.characters(categories=["L", "Nd"]), min_size=1, max_size=8)
handle_name = st.tuples(word, st.lists(st.tuples(st.sampled_from([" ", "_", "-", ".", "'"]), word), max_size=3)).map(
    lambda parts: parts[0] + "".join(sep + w for sep, w in parts[1])
)


@FAST
@given(name=handle_name, tail=st.sampled_from(["", " hi", ", hi", "!", "?", "\n"]))
def test_any_seller_name_of_letters_digits_and_separators_can_be_mentioned_as_written(name, tail):
    assert parse_mentions(f"@{name}{tail}", [name]).sellers == [name]


def _valid_example() -> dict:
    return json.loads((SCENARIO_DIR / "office_supplies.json").read_text(encoding="utf-8"))


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _paths(child, (*prefix, index))


EXAMPLE = _valid_example()
EXAMPLE_PATHS = [p for p in _paths(EXAMPLE) if p]


@st.composite
def mutated_scenarios(draw):
    """The valid example with a few of its values replaced by arbitrary JSON or removed."""
    data = copy.deepcopy(EXAMPLE)
    for path in draw(st.lists(st.sampled_from(EXAMPLE_PATHS), min_size=1, max_size=3)):
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()):
                parent[path[-1]] = draw(json_values)
            elif isinstance(parent, dict):
                parent.pop(path[-1], None)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this branch
    return data


def _loads_or_scenario_error(text: str) -> None:
    try:
        config = loads_scenario(text, "prop.json")
    except ScenarioError as exc:
        assert exc.errors and all(isinstance(e, str) and e.strip() for e in exc.errors)
        assert exc.source == "prop.json"
    else:
        assert isinstance(config, SessionConfig)


@FAST
@given(value=json_values)
def test_loads_scenario_on_any_json_value_returns_a_config_or_a_scenario_error(value):
    _loads_or_scenario_error(json.dumps(value))


@FAST
@given(data=mutated_scenarios())
def test_loads_scenario_on_damaged_scenarios_returns_a_config_or_a_scenario_error(data):
    _loads_or_scenario_error(json.dumps(data))


@FAST
@given(text=st.text(alphabet=string.printable, max_size=60))
def test_loads_scenario_on_any_text_returns_a_config_or_a_scenario_error(text):
    _loads_or_scenario_error(text)


def test_the_unmutated_example_is_valid():
    assert isinstance(load_scenario(SCENARIO_DIR / "office_supplies.json"), SessionConfig)
