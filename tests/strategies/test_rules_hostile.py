"""Hostile input: a clear refusal every time, never an exception escaping, never a hang."""

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies.rules import DocumentError, parse, validate

KEYS = [
    "name",
    "long_only",
    "indicators",
    "entry",
    "exit",
    "risk",
    "sizing",
    "kind",
    "period",
    "timeframe",
    "combine",
    "rules",
    "not",
    "direction",
    "lhs",
    "op",
    "rhs",
    "bar",
    "indicator",
    "field",
    "value",
    "stop_loss_pct",
    "cooldown_bars",
    "fraction",
    "amount",
]

BILLION_LAUGHS = """\
name: lol
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def refusal(text, **options) -> list[tuple[str, str, int | None]]:
    with pytest.raises(DocumentError) as caught:
        parse(text, **options)
    return [(problem.path, str(problem.message), problem.line) for problem in caught.value.errors]


def test_alias_bomb_is_refused_at_its_first_anchor():
    assert refusal(BILLION_LAUGHS) == [
        ("", "anchors (&a) are not allowed: write each value out in full", 2)
    ]


def test_an_alias_alone_is_refused():
    assert refusal("name: x\nentry: *rule\n") == [
        ("", "aliases (*rule) are not allowed: write each value out in full", 2)
    ]


def test_python_tag_is_refused_before_anything_is_built(monkeypatch):
    calls = []
    monkeypatch.setattr(os, "system", lambda command: calls.append(command))
    text = "name: x\nentry: !!python/object/apply:os.system ['echo owned']\n"
    assert refusal(text) == [("", "tags (!!python/object/apply:os.system) are not allowed", 2)]
    assert calls == []


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("name: !!binary aGVsbG8=\n", "!!binary"),
        ("name: !custom x\n", "!custom"),
        ("name: !!str x\n", "!!str"),
        ("risk: !!map {stop_loss_pct: 0.1}\n", "!!map"),
    ],
)
def test_every_explicit_tag_is_refused(text, tag):
    assert refusal(text) == [("", f"tags ({tag}) are not allowed", 1)]


def test_ten_megabytes_of_text_are_refused_by_size():
    text = "name: x\n" + "# padding\n" * 1_000_000
    assert refusal(text) == [("", "the document is larger than 64 KB", None)]
    assert refusal(text.encode()) == [("", "the document is larger than 64 KB", None)]


def test_size_is_counted_in_bytes():
    # 30,000 two-byte characters: 60,000 bytes pass; 33,000 (66,000 bytes) do not.
    assert refusal("name: x\n# " + "é" * 33_000 + "\n") == [
        ("", "the document is larger than 64 KB", None)
    ]
    assert "larger" not in str(refusal("name: x\n# " + "é" * 30_000 + "\n"))


@pytest.mark.parametrize("depth", [33, 500, 1000, 5000])
def test_nesting_deep_in_yaml_flow_is_refused(depth):
    # Past 1,000 levels libyaml refuses by itself; below, the event scan does.
    text = "name: x\nentry: " + "[" * depth + "]" * depth + "\n"
    assert refusal(text) == [("", "the document is nested more than 32 levels deep", 2)]


def test_nesting_a_thousand_deep_in_yaml_mappings_is_refused():
    text = "name: x\nentry: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n"
    assert refusal(text) == [("", "the document is nested more than 32 levels deep", 2)]


def test_nesting_a_thousand_deep_in_json_is_refused():
    text = '{"name": "x",\n "entry": ' + '{"not": ' * 1000 + "{}" + "}" * 1000 + "}"
    assert refusal(text) == [("", "the document is nested more than 32 levels deep", 2)]
    text = "[" * 1000 + "]" * 1000
    assert refusal(text) == [("", "the document is nested more than 32 levels deep", 1)]


def test_brackets_inside_json_strings_do_not_count_as_nesting():
    text = json.dumps({"name": "[" * 100 + '"{' * 50, "entry": {}})
    assert "nested" not in str(refusal(text))


def test_nesting_a_thousand_deep_in_python_data_is_refused():
    data: dict = {"kind": "leaf"}
    for _ in range(1000):
        data = {"not": data}
    with pytest.raises(DocumentError) as caught:
        validate({"name": "x", "entry": data})
    assert [(p.path, str(p.message), p.line) for p in caught.value.errors] == [
        ("", "the document is nested more than 32 levels deep", None)
    ]


def test_a_document_holding_itself_is_refused():
    data: dict = {"name": "x"}
    data["entry"] = data
    with pytest.raises(DocumentError) as caught:
        validate(data)
    assert str(caught.value.errors[0].message) == "the document is nested more than 32 levels deep"


def test_too_many_values_are_refused():
    text = "name: x\nentry: [" + "1, " * 6000 + "1]\n"
    assert refusal(text) == [("", "the document holds more than 5000 keys and values", 2)]
    assert refusal(json.dumps({"name": "x", "entry": [1] * 6000})) == [
        ("", "the document holds more than 5000 keys and values", 1)
    ]
    with pytest.raises(DocumentError) as caught:
        validate({"name": "x", "entry": [1] * 6000})
    assert (
        str(caught.value.errors[0].message) == "the document holds more than 5000 keys and values"
    )


def test_invalid_utf8_is_refused():
    assert refusal(b"name: caf\xe9\n") == [("", "the document is not UTF-8 text", None)]
    assert refusal(bytes(range(256))) == [("", "the document is not UTF-8 text", None)]
    assert refusal("name: \udcff\n") == [("", "the document is not UTF-8 text", None)]


def test_control_characters_are_refused_with_their_line():
    assert refusal("name: x\nentry: a\x00b\n") == [
        ("", "the document contains a control character, which is not allowed", 2)
    ]
    junk = bytes(range(1, 128)).decode()
    assert refusal(junk)[0][1] == "the document contains a control character, which is not allowed"


@pytest.mark.parametrize("data", [None, [], "name", 3, {1, 2}])
def test_validate_refuses_a_root_that_is_not_a_mapping(data):
    with pytest.raises(DocumentError) as caught:
        validate(data)
    assert len(caught.value.errors) == 1
    assert caught.value.errors[0].path == ""


def test_python_objects_in_data_are_refused_as_wrong_types():
    with pytest.raises(DocumentError) as caught:
        validate({"name": object(), "entry": {"lhs": {"bar": "close"}, "op": ">", "rhs": (1,)}})
    assert [(p.path, str(p.message)) for p in caught.value.errors] == [
        ("name", "must be text"),
        ("entry.rhs", "a side must be {bar: ...}, {indicator: ...} or {value: ...}"),
        ("exit", "the strategy needs an exit rule or a stop-loss, take-profit or trailing stop"),
    ]


def test_a_huge_integer_in_json_is_refused():
    text = '{"name": "x", "risk": {"stop_loss_pct": ' + "9" * 5000 + "}}"
    assert refusal(text) == [("", "this value is not valid", None)]


# Anything at all goes in; only a Document or a DocumentError comes out.
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=30,
)


def outcome(call, *args) -> list[str]:
    """The messages of the refusal (empty when accepted); any other exception escapes."""
    try:
        call(*args)
    except DocumentError as error:
        return [str(problem.message) for problem in error.errors] or ["(no problem listed)"]
    return []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.binary(max_size=300))
def test_random_text_is_refused_cleanly(text):
    assert all(message and message != "(no problem listed)" for message in outcome(parse, text))


@settings(max_examples=300, deadline=None)
@given(JSONISH)
def test_random_data_is_refused_cleanly(data):
    assert all(message and message != "(no problem listed)" for message in outcome(validate, data))
