"""Reading a user's own network (GraphML or an edge list) and the errors a bad file gives."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from sim.errors import UserError
from sim.network import SocialNetwork
from sim.network_io import DEFAULT_STRENGTH, households_from_graph, read_graph

WHERE = "scenario.toml: community.network_file"


def households(path: Path, block_size: int = 2, blocks_per_estate: int = 2):
    return households_from_graph(read_graph(path, WHERE), block_size, blocks_per_estate, WHERE)


def pair_strengths(u, v, strength) -> dict[frozenset, float]:
    return {frozenset((int(a), int(b))): float(w) for a, b, w in zip(u, v, strength, strict=True)}


# -- GraphML ------------------------------------------------------------------


def test_graphml_with_block_estate_and_weights(tmp_path):
    graph = nx.Graph()
    # Node order in the file is household order; blocks and estates are relabelled 0.. in order of appearance.
    for node, block, estate in (("h1", "north", "E1"), ("h2", "north", "E1"), ("h3", "south", "E1"), ("h4", "west", "E2")):
        graph.add_node(node, block=block, estate=estate)
    graph.add_edge("h1", "h2", weight=0.9)
    graph.add_edge("h2", "h3", weight=0.25)
    graph.add_edge("h3", "h4", weight=1.0)
    path = tmp_path / "net.graphml"
    nx.write_graphml(graph, path)

    block, estate, u, v, strength = households(path)
    np.testing.assert_array_equal(block, [0, 0, 1, 2])
    np.testing.assert_array_equal(estate, [0, 0, 0, 1])
    assert pair_strengths(u, v, strength) == {
        frozenset((0, 1)): pytest.approx(0.9),
        frozenset((1, 2)): pytest.approx(0.25),
        frozenset((2, 3)): pytest.approx(1.0),
    }
    # Into the model's network: 0-1 share a block (bonding), the others are bridging.
    net = SocialNetwork.from_pairs(block, u, v, strength, 5)
    assert net.bonding.toarray()[0, 1] == pytest.approx(0.9)
    assert net.bridging.toarray()[1, 2] == pytest.approx(0.25)
    assert net.tie_count() == 3


def test_graphml_with_integer_blocks_and_no_estate_uses_blocks_per_estate(tmp_path):
    graph = nx.Graph()
    for node, block in enumerate([5, 5, 7, 9, 9]):
        graph.add_node(node, block=block)
    graph.add_edge(0, 1)  # no weight: the default strength
    graph.add_edge(3, 4, weight=0.5)
    path = tmp_path / "net.graphml"
    nx.write_graphml(graph, path)

    block, estate, u, v, strength = households(path, block_size=100, blocks_per_estate=2)
    # Labels 5, 7, 9 -> blocks 0, 1, 2; estates = block // 2.
    np.testing.assert_array_equal(block, [0, 0, 1, 2, 2])
    np.testing.assert_array_equal(estate, [0, 0, 0, 1, 1])
    assert pair_strengths(u, v, strength) == {frozenset((0, 1)): DEFAULT_STRENGTH, frozenset((3, 4)): 0.5}


def test_graphml_without_blocks_fills_blocks_in_file_order(tmp_path):
    graph = nx.path_graph(5)
    path = tmp_path / "net.xml"
    nx.write_graphml(graph, path)
    block, estate, *_ = households(path, block_size=2, blocks_per_estate=2)
    # Five households in blocks of 2: 0 0 1 1 2; estates of 2 blocks: 0 0 0 0 1.
    np.testing.assert_array_equal(block, [0, 0, 1, 1, 2])
    np.testing.assert_array_equal(estate, [0, 0, 0, 0, 1])


def test_directed_graphml_becomes_undirected(tmp_path):
    graph = nx.DiGraph()
    graph.add_edge("a", "b", weight=0.4)
    graph.add_edge("b", "c", weight=0.3)
    path = tmp_path / "net.graphml"
    nx.write_graphml(graph, path)
    loaded = read_graph(path, WHERE)
    assert not loaded.is_directed()
    assert loaded.number_of_edges() == 2


# -- edge lists ---------------------------------------------------------------


def test_edge_list_without_weights_gets_default_strength(tmp_path):
    assert DEFAULT_STRENGTH == 0.6  # the documented default tie strength
    path = tmp_path / "ties.edgelist"
    path.write_text("# a comment line\na b\nb c  # trailing comment\nc d\n")
    block, estate, u, v, strength = households(path, block_size=2, blocks_per_estate=1)
    # Nodes in order of appearance: a=0, b=1, c=2, d=3.
    np.testing.assert_array_equal(block, [0, 0, 1, 1])
    np.testing.assert_array_equal(estate, [0, 0, 1, 1])
    assert pair_strengths(u, v, strength) == {
        frozenset((0, 1)): DEFAULT_STRENGTH,
        frozenset((1, 2)): DEFAULT_STRENGTH,
        frozenset((2, 3)): DEFAULT_STRENGTH,
    }


def test_edge_list_with_weights(tmp_path):
    path = tmp_path / "ties.txt"
    path.write_text("1 2 0.5\n2 3 0.75\n")
    *_, u, v, strength = households(path)
    assert pair_strengths(u, v, strength) == {frozenset((0, 1)): 0.5, frozenset((1, 2)): 0.75}


def test_csv_edge_list_with_weights(tmp_path):
    path = tmp_path / "ties.csv"
    path.write_text("x,y,0.2\ny,z,1.0\n")
    *_, u, v, strength = households(path)
    assert pair_strengths(u, v, strength) == {frozenset((0, 1)): 0.2, frozenset((1, 2)): 1.0}


def test_edge_list_with_weights_on_some_lines_only(tmp_path):
    # 'u v [weight]': the weight is optional per line, whichever line comes first.
    path = tmp_path / "ties.edgelist"
    path.write_text("a b\nb c 0.4\n")
    *_, u, v, strength = households(path)
    assert pair_strengths(u, v, strength) == {frozenset((0, 1)): DEFAULT_STRENGTH, frozenset((1, 2)): 0.4}


# -- errors -------------------------------------------------------------------


def _error(path: Path) -> str:
    with pytest.raises(UserError) as info:
        households(path)
    return str(info.value)


def test_missing_file_names_the_file(tmp_path):
    path = tmp_path / "nowhere.graphml"
    message = _error(path)
    assert str(path) in message
    assert message.startswith(WHERE)


def test_folder_instead_of_file_names_it(tmp_path):
    folder = tmp_path / "folder.graphml"
    folder.mkdir()
    assert str(folder) in _error(folder)


def test_unknown_suffix_names_the_file_and_lists_formats(tmp_path):
    path = tmp_path / "net.json"
    path.write_text('{"a": "b"}')
    message = _error(path)
    assert str(path) in message
    assert ".graphml" in message and ".edgelist" in message


def test_malformed_graphml_names_the_file(tmp_path):
    path = tmp_path / "broken.graphml"
    path.write_text("<graphml><graph><node id='a'></graph>")
    message = _error(path)
    assert str(path) in message
    assert "cannot read" in message


def test_non_numeric_weight_in_edge_list_names_the_file(tmp_path):
    path = tmp_path / "bad.edgelist"
    path.write_text("a b heavy\n")
    assert str(path) in _error(path)


def test_too_few_nodes_names_the_file(tmp_path):
    empty = tmp_path / "empty.edgelist"
    empty.write_text("# nothing here\n")
    assert str(empty) in _error(empty)


@pytest.mark.parametrize("weight", [0.0, -0.2, 1.5, float("nan")])
def test_weight_outside_zero_one_is_rejected(tmp_path, weight):
    path = tmp_path / "w.edgelist"
    path.write_text(f"a b {weight}\nb c 0.5\n")
    message = _error(path)
    assert "(0, 1]" in message


def test_weight_outside_zero_one_names_the_file_when_loaded_by_the_model(tmp_path):
    # The check happens after reading, so the model must pass the file's path into the message.
    from sim import HousingModel

    graph = nx.Graph()
    graph.add_edge("a", "b", weight=1.5)
    graph.add_edge("b", "c", weight=0.5)
    path = tmp_path / "heavy.graphml"
    nx.write_graphml(graph, path)
    with pytest.raises(UserError) as info:
        HousingModel(rng=1, community__network_file=str(path))
    assert str(path) in str(info.value)


def _five_households(tmp_path):
    graph = nx.Graph()
    for node, block in enumerate([0, 0, 1, 1, 1]):
        graph.add_node(node, block=block)
    graph.add_edge(0, 1, weight=0.5)
    graph.add_edge(1, 2, weight=0.4)
    path = tmp_path / "mine.graphml"
    nx.write_graphml(graph, path)
    return path


def test_model_loads_a_network_file(tmp_path):
    from sim import HousingModel

    path = _five_households(tmp_path)
    # No burn-in: month 0's network is the file's.
    model = HousingModel(rng=1, community__network_file=str(path), status_quo__months=0)
    # The file, not community.residents, sets the number of households.
    assert model.state.n == 5
    np.testing.assert_array_equal(model.state.block, [0, 0, 1, 1, 1])
    bonding, bridging = model.network.bonding.toarray(), model.network.bridging.toarray()
    assert bonding[0, 1] == pytest.approx(0.5)
    assert bridging[1, 2] == pytest.approx(0.4)
    assert model.network.tie_count() == 2


def test_with_a_burn_in_the_file_is_the_network_before_the_status_quo_ran(tmp_path):
    from sim import HousingModel

    path = _five_households(tmp_path)
    fresh = HousingModel(rng=1, community__network_file=str(path), status_quo__months=0)
    burnt = HousingModel(rng=1, community__network_file=str(path), status_quo__months=24)
    # The households are the file's, but by month 0 the ties have moved on (decay, chance meetings).
    assert burnt.state.n == 5
    np.testing.assert_array_equal(burnt.state.block, [0, 0, 1, 1, 1])
    assert not np.array_equal(burnt.network.bonding.toarray(), fresh.network.bonding.toarray())
    assert burnt.network.bonding.toarray()[0, 1] != pytest.approx(0.5)
    # The file is where the burn-in starts: 24 months of the status quo from the file's network
    # reach exactly the network the burnt-in model starts from.
    fresh.run(24)
    np.testing.assert_array_equal(burnt.network.bonding.toarray(), fresh.network.bonding.toarray())
    np.testing.assert_array_equal(burnt.network.bridging.toarray(), fresh.network.bridging.toarray())
    np.testing.assert_array_equal(burnt.network.linking, fresh.network.linking)
