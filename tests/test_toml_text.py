"""TOML as users write it: a byte-order mark is accepted; a document nested too deeply is one sentence and exit 2."""

from __future__ import annotations

import pytest

from sim import scenario
from sim.batch import experiment
from sim.errors import UserError
from tests.batch_runs import ROOT, cli, write_experiment

DEEP = "x = " + "[" * 3000 + "]" * 3000 + "\n"


def test_a_scenario_saved_with_a_byte_order_mark_reads_as_without(tmp_path):
    text = (ROOT / "scenarios" / "co_production.toml").read_text(encoding="utf-8")
    marked = tmp_path / "marked.toml"
    marked.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    plain = tmp_path / "plain.toml"
    plain.write_text(text, encoding="utf-8")
    read = {name: {k: v for k, v in scenario.load(path).to_dict().items() if k != "source"} for name, path in (("marked", marked), ("plain", plain))}
    assert read["marked"] == read["plain"]


def test_an_experiment_saved_with_a_byte_order_mark_reads_as_without(tmp_path):
    path = write_experiment(tmp_path / "plain.toml")
    marked = tmp_path / "marked.toml"
    marked.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert experiment.load(marked).scenarios == experiment.load(path).scenarios


def test_an_edge_list_with_a_byte_order_mark_reads_its_first_line(tmp_path):
    from sim.network_io import read_graph

    edges = tmp_path / "net.txt"
    edges.write_bytes(b"\xef\xbb\xbf0 1\n1 2\n")
    assert sorted(read_graph(edges, "test").edges()) == [("0", "1"), ("1", "2")]  # node names as written


def test_a_scenario_nested_too_deeply_is_one_sentence(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text(DEEP, encoding="utf-8")
    with pytest.raises(UserError, match="nested too deeply"):
        scenario.load(path)
    result = cli("check", path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "nested too deeply" in result.stderr


def test_an_experiment_nested_too_deeply_is_one_sentence(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text('name = "x"\n' + DEEP, encoding="utf-8")
    with pytest.raises(UserError, match="nested too deeply"):
        experiment.load(path)


def test_a_set_value_nested_too_deeply_is_one_sentence():
    with pytest.raises(UserError, match="nested too deeply"):
        scenario.parse_assignment("trust.gain_rate=" + "[" * 3000 + "]" * 3000)
