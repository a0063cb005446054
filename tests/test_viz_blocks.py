"""Large communities drawn block by block, so colours stay visible under the ties."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from sim.model import INSTITUTIONS
from sim.viz.block_view import BlockView
from sim.viz.colours import BLUE, PALE, SCHEMES
from sim.viz.figures import AGGREGATE_FROM, CommunityFigure, shows_blocks
from sim.viz.network_view import CommunityView, ties
from sim.viz.presets import load_presets
from sim.viz.session import Session, Settings

PRESETS = load_presets()


def session_of(residents: int, steps: int = 6) -> Session:
    session = Session(PRESETS, Settings("co_production", "co_production", residents=residents, seed=3))
    session.step(steps)
    return session


@pytest.fixture(scope="module")
def large() -> Session:
    return session_of(1000)


def test_from_a_thousand_households_the_picture_shows_blocks():
    assert AGGREGATE_FROM == 1000
    assert not shows_blocks(999) and shows_blocks(1000) and shows_blocks(2000)


def test_the_app_s_picture_is_blocks_at_1000_and_households_below(large):
    small = session_of(950, steps=1)
    assert isinstance(CommunityFigure(small.layout).view, CommunityView)
    assert isinstance(CommunityFigure(large.layout).view, BlockView)


def test_a_block_is_coloured_by_its_households_average(large):
    model = large.models[0]
    blocks = large.layout.blocks
    count = len(large.layout.block_centres)
    trust = SCHEMES["trust_landlord"]
    colours = trust.block_colours(model, blocks, count)
    first = blocks == 0
    np.testing.assert_allclose(colours[0], trust.colours_of(np.array([model.state.trust_landlord[first].mean()]))[0])
    work = SCHEMES["employment"]
    share = (work.values(model)[first] == 0).mean()
    expected = np.array(to_rgba(PALE)) + share * (np.array(to_rgba(BLUE)) - np.array(to_rgba(PALE)))
    np.testing.assert_allclose(work.block_colours(model, blocks, count)[0], expected)


def test_ties_between_blocks_are_summed_into_one_faint_line_a_pair(large):
    figure = CommunityFigure(large.layout)
    figure.render(large.models[0], SCHEMES["trust_landlord"])
    lines = figure.view.ties.get_segments()
    blocks = len(large.layout.block_centres)
    bridging = ties(large.models[0]).pairs["bridging"]
    assert 0 < len(lines) <= blocks * (blocks - 1) / 2 + blocks * len(large.layout.institutions)
    assert len(lines) < len(bridging) / 5  # far fewer lines than ties
    assert (figure.view.ties.get_colors()[:, 3] <= 0.55 + 1e-9).all()  # faded


def test_a_click_selects_no_household_but_a_chosen_one_s_block_is_ringed(large):
    figure = CommunityFigure(large.layout)
    figure.render(large.models[0], SCHEMES["trust_landlord"], highlight=17)
    assert figure.pick(*figure.where(17)) is None
    block = large.layout.blocks[17]
    assert figure.view.ring.get_visible()
    np.testing.assert_allclose(figure.view.ring.get_center(), large.layout.block_centres[block])
    figure.render(large.models[0], SCHEMES["trust_landlord"])
    assert not figure.view.ring.get_visible()


def test_the_fast_tie_reader_gives_the_graph_s_ties():
    session = session_of(200, steps=4)
    model = session.models[0]
    found = ties(model)
    graph = model.graph()
    n = model.state.n
    index = {name: n + k for k, name in enumerate(INSTITUTIONS)}
    for kind in ("bonding", "bridging", "linking"):
        expected = {
            (min(i, j), max(i, j)): w
            for a, b, d in graph.edges(data=True)
            if d["kind"] == kind
            for i, j, w in [(a if isinstance(a, int) else index[a], b if isinstance(b, int) else index[b], d["weight"])]
        }
        got = {(min(i, j), max(i, j)): w for (i, j), w in zip(found.pairs[kind].tolist(), found.strength[kind].tolist(), strict=True)}
        assert got.keys() == expected.keys()
        assert all(got[k] == pytest.approx(expected[k]) for k in got)


def test_a_picture_asked_for_again_is_not_drawn_again(large):
    figure = CommunityFigure(large.layout)
    model = large.models[0]
    first = figure.render(model, SCHEMES["stigma"])
    assert figure.render(model, SCHEMES["stigma"]) is first
    assert figure.render(model, SCHEMES["trust_landlord"]) is not first
