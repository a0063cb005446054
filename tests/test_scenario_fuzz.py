"""Property-based tests of the scenario loader: whatever the input, a Scenario or a UserError, never anything else.

Three properties:

1. arbitrary bytes (and mutations of the shipped scenario files) in a .toml file;
2. random but valid TOML documents whose keys mix real section, parameter,
   lever and event names with random strings, written by the small TOML
   writer below (the standard library reads TOML but does not write it);
3. values drawn inside each declared parameter's range load and round-trip
   into ``scenario.params`` (and ``scenario.levers``).

Two bugs found here (a TOML integer too big for a float; an event ``type``
that is a list or table escaped as OverflowError or TypeError) are fixed;
the properties keep them as explicit examples so they stay fixed.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sim.catalogue import SECTIONS
from sim.errors import UserError
from sim.events import EVENT_TYPES
from sim.parameters import Param
from sim.policies import LEVERS, POLICIES
from sim.scenario import Scenario, default, load, parse_assignment

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_TEXTS = [path.read_bytes() for path in sorted((ROOT / "scenarios").glob("*.toml"))]

FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
HUGE = 10**400


# -- a tiny TOML writer ---------------------------------------------------------------


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_string(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"not a TOML value: {value!r}")


def dumps(doc: dict[str, Any], headers: bool = True) -> str:
    """``doc`` as TOML: scalars and inline values first, then [tables] and [[arrays of tables]] (if ``headers``)."""
    lines, tables = [], []
    for key, value in doc.items():
        if headers and isinstance(value, dict):
            tables.append(f"[{_string(key)}]")
            tables.extend(f"{_string(k)} = {_value(v)}" for k, v in value.items())
        elif headers and isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                tables.append(f"[[{_string(key)}]]")
                tables.extend(f"{_string(k)} = {_value(v)}" for k, v in item.items())
        else:
            lines.append(f"{_string(key)} = {_value(value)}")
    return "\n".join([*lines, *tables]) + "\n"


# -- what counts as "a Scenario or a UserError" ----------------------------------------------


def load_or_user_error(path: Path) -> Scenario | None:
    """Load ``path``; None for a UserError; any other exception propagates (and fails the test)."""
    try:
        scenario = load(path)
    except UserError as error:
        message = str(error)
        assert message.startswith(f"{path}: "), message
        return None
    assert isinstance(scenario, Scenario)
    return scenario


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# -- 1. arbitrary bytes --------------------------------------------------------------------------


@st.composite
def mutated_scenario(draw) -> bytes:
    """A shipped scenario file with a few bytes inserted, deleted or replaced."""
    data = bytearray(draw(st.sampled_from(SCENARIO_TEXTS)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = draw(st.binary(min_size=1, max_size=6) | st.sampled_from([b"=", b"[", b"]", b"\n", b'"', b"0", b"-", b".", b"[[events]]\n", b"step = ", b"type = "]))
        if kind == "insert":
            data[at:at] = chunk
        elif kind == "delete":
            del data[at:at + len(chunk)]
        else:
            data[at:at + len(chunk)] = chunk
    return bytes(data)


ANY_BYTES = st.binary(max_size=400) | st.text(max_size=200).map(lambda s: s.encode("utf-8")) | mutated_scenario()


def _load_bytes(folder: Path, data: bytes) -> None:
    path = folder / "bytes.toml"
    path.write_bytes(data)
    load_or_user_error(path)


@FUZZ
@given(data=ANY_BYTES)
@example(data=f"[community]\nresidents = {HUGE}\n".encode())
@example(data=b'[[events]]\nstep = 1\ntype = ["funding_cut"]\n')
def test_arbitrary_bytes_give_a_scenario_or_a_user_error(folder, data):
    _load_bytes(folder, data)


# -- 2. random valid TOML documents ------------------------------------------------------------------


SECTION_NAMES = [section.name for section in SECTIONS]
PARAM_NAMES = sorted({p.name for section in SECTIONS for p in section.params})
LEVER_NAMES = [p.name for p in LEVERS]
EVENT_KEYS = sorted({"step", "type", "policy", *(p.name for e in EVENT_TYPES.values() for p in e.section.params)})
REAL_KEYS = sorted({*SECTION_NAMES, *PARAM_NAMES, *LEVER_NAMES, *EVENT_KEYS, "policy", "events", "name", "description", "steps", "seed"})
WORDS = sorted({*REAL_KEYS, *POLICIES, *EVENT_TYPES})

KEYS = st.sampled_from(REAL_KEYS) | st.text(max_size=12) | st.sampled_from(REAL_KEYS).map(lambda k: k[:-1] + "x")
SCALARS = (
    st.booleans()
    | st.integers(-3, 200)
    | st.integers()
    | st.integers(min_value=2**1000, max_value=2**1100).map(lambda n: n * 2**100)  # too big for a float
    | st.floats()
    | st.floats(-1.0, 2.0)
    | st.sampled_from(WORDS)
    | st.text(max_size=20)
    | st.dates()
    | st.times()
    | st.datetimes(timezones=st.none() | st.just(dt.UTC))
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(KEYS, inner, max_size=5), max_leaves=12)


@st.composite
def events(draw) -> list[dict[str, Any]]:
    result = []
    for _ in range(draw(st.integers(0, 3))):
        event = draw(st.dictionaries(st.sampled_from(EVENT_KEYS) | KEYS, VALUES, max_size=3))
        if draw(st.booleans()):
            event["step"] = draw(st.integers(-1, 150) | VALUES)
        if draw(st.booleans()):
            event["type"] = draw(st.sampled_from(sorted(EVENT_TYPES)) | VALUES)
        if event.get("type") == "switch_policy" and draw(st.booleans()):
            event["policy"] = draw(st.sampled_from(sorted(POLICIES)) | VALUES)
        result.append(event)
    return result


OWN_KEYS = {section.name: [p.name for p in section.params] for section in SECTIONS} | {"policy": [*LEVER_NAMES, "name"]}


@st.composite
def documents(draw) -> dict[str, Any]:
    # Half the documents have only real top-level keys, so that checking reaches the sections and events.
    doc = draw(st.dictionaries(KEYS, VALUES, max_size=3)) if draw(st.booleans()) else {}
    for key in draw(st.lists(st.sampled_from(["name", "description", "steps", "seed"]), max_size=3, unique=True)):
        likely = st.text(max_size=10) if key in ("name", "description") else st.integers(-2, 200)
        doc[key] = draw(st.one_of(likely, likely, likely, VALUES))
    for name in draw(st.lists(st.sampled_from([*SECTION_NAMES, "policy"]), max_size=4, unique=True)):
        doc[name] = draw(st.dictionaries(st.sampled_from(OWN_KEYS[name]) | KEYS, VALUES, max_size=4))
    if draw(st.booleans()):
        doc.setdefault("policy", {})
        if isinstance(doc["policy"], dict):
            doc["policy"]["name"] = draw(st.sampled_from(sorted(POLICIES)) | VALUES)
    if draw(st.booleans()):
        doc["events"] = draw(events())
    return doc


def _load_document(folder: Path, doc: dict[str, Any], headers: bool) -> None:
    text = dumps(doc, headers)
    parsed = tomllib.loads(text)  # the writer must produce valid TOML
    assert set(parsed) == set(doc)
    path = folder / "doc.toml"
    path.write_text(text, encoding="utf-8")
    load_or_user_error(path)


@FUZZ
@given(doc=documents(), headers=st.booleans())
@example(doc={"trust": {"gain_rate": HUGE}}, headers=True)
@example(doc={"events": [{"step": 1, "type": {"a": 1}}]}, headers=True)
def test_random_toml_documents_give_a_scenario_or_a_user_error(folder, doc, headers):
    _load_document(folder, doc, headers)


FINITE_SCALARS = st.recursive(
    st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20) | st.dates() | st.times() | st.datetimes(timezones=st.none() | st.just(dt.UTC)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)


@FUZZ
@given(doc=st.dictionaries(st.text(max_size=8), FINITE_SCALARS, max_size=5), headers=st.booleans())
def test_the_toml_writer_round_trips(doc, headers):
    parsed = tomllib.loads(dumps(doc, headers))

    def normal(value):  # tomllib keeps datetimes, dates and times as they were written
        if isinstance(value, dict):
            return {k: normal(v) for k, v in value.items()}
        if isinstance(value, list):
            return [normal(v) for v in value]
        return value

    assert normal(parsed) == normal(doc)


# -- --set style overrides ------------------------------------------------------------------------------


ASSIGN_KEYS = (
    st.sampled_from([f"{s.name}.{p.name}" for s in SECTIONS for p in s.params])
    | st.sampled_from([f"policy.{name}" for name in LEVER_NAMES])
    | st.sampled_from(["residents", "policy", "steps", "seed", "name", "description", "events.step"])
    | KEYS
)
ASSIGN_VALUES = st.sampled_from(["0.5", "true", "[1, 2]", "co_design", "-1", "1e999", "nan", '"x"', "[0.1, 0.2, 0.3, 0.4]", "{a = 1}"]) | st.text(max_size=15)


def _apply_assignment(key: str, value: str) -> None:
    try:
        name, parsed = parse_assignment(f"{key}={value}")
    except UserError as error:
        assert str(error).startswith("--set: ")
        return
    try:
        default().with_overrides({name: parsed}, where="--set")
    except UserError as error:
        assert str(error).startswith("--set: ")


@FUZZ
@given(key=ASSIGN_KEYS, value=ASSIGN_VALUES)
@example(key="residents", value=str(HUGE))
def test_set_assignments_give_a_scenario_or_a_user_error(key, value):
    _apply_assignment(key, value)


# -- 3. valid values round-trip ----------------------------------------------------------------------


def valid_values(param: Param) -> st.SearchStrategy:
    """Values ``param`` accepts (as TOML would give them)."""
    default_value = param.default
    low = -1e9 if param.low is None else param.low
    high = 1e9 if param.high is None else param.high
    if isinstance(default_value, bool):
        return st.booleans()
    if isinstance(default_value, tuple):
        number = st.floats(low, high, allow_nan=False) | st.integers(math.ceil(low), math.floor(high))
        return st.lists(number, min_size=len(default_value), max_size=len(default_value))
    if isinstance(default_value, int):
        return st.integers(math.ceil(low), math.floor(high))
    if isinstance(default_value, float):
        whole = st.integers(math.ceil(low), math.floor(high)) if math.ceil(low) <= math.floor(high) else st.nothing()
        return st.floats(low, high, allow_nan=False) | whole | st.sampled_from([low, high])
    if param.choices is not None:
        return st.sampled_from(param.choices)
    return st.text(max_size=20)


def expected(param: Param, value: Any) -> Any:
    default_value = param.default
    if isinstance(default_value, tuple):
        return tuple(float(v) for v in value)
    if isinstance(default_value, float):
        return float(value)
    return value


ALL_PARAMS = [(section.name, p) for section in SECTIONS for p in section.params]


@FUZZ
@given(data=st.data())
def test_valid_values_round_trip(folder, data):
    chosen = data.draw(st.lists(st.sampled_from(ALL_PARAMS), min_size=1, max_size=12, unique_by=lambda sp: (sp[0], sp[1].name)))
    doc: dict[str, Any] = {}
    for section, param in chosen:
        doc.setdefault(section, {})[param.name] = data.draw(valid_values(param), label=f"{section}.{param.name}")
    policy = data.draw(st.sampled_from(sorted(POLICIES)))
    levers = data.draw(st.lists(st.sampled_from(LEVERS), max_size=4, unique_by=lambda p: p.name))
    doc["policy"] = {"name": policy, **{p.name: data.draw(valid_values(p), label=f"policy.{p.name}") for p in levers}}
    steps = data.draw(st.integers(1, 500))
    doc["steps"] = steps
    doc["seed"] = data.draw(st.integers(0, 2**63 - 1))
    doc["events"] = [{"step": data.draw(st.integers(1, steps)), "type": "external_stigma", "level": data.draw(st.floats(0, 1))}]

    path = folder / "valid.toml"
    path.write_text(dumps(doc, headers=data.draw(st.booleans())), encoding="utf-8")
    scenario = load(path)

    for section, param in chosen:
        value = doc[section][param.name]
        got = scenario.params[section][param.name]
        if param.name == "network_file" and value and not Path(value).is_absolute():
            assert got == str(path.parent / value)
        else:
            assert got == expected(param, value), (section, param.name)
            assert type(got) is type(expected(param, value))
    untouched = {(s, p.name) for s, p in ALL_PARAMS} - {(s, p.name) for s, p in chosen}
    for section, name in untouched:
        assert scenario.params[section][name] == next(p for s, p in ALL_PARAMS if s == section and p.name == name).default
    assert scenario.policy == policy
    assert scenario.levers == POLICIES[policy].section().defaults() | {p.name: float(doc["policy"][p.name]) for p in levers}
    assert (scenario.steps, scenario.seed) == (steps, doc["seed"])
    assert scenario.events[0].values == {"level": doc["events"][0]["level"]}
