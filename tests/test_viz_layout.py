"""The community layout: seeded, stable, computed once per network, and a faithful map of blocks and estates."""

from __future__ import annotations

import numpy as np
import pytest

from sim import HousingModel
from sim.community import layout as dwellings
from sim.model import INSTITUTIONS
from sim.viz.layout import BLOCK_RADIUS, JITTER, community_layout
from sim.viz.presets import load_presets
from sim.viz.session import Session, Settings


def blocks(n: int = 500, block_size: int = 40, per_estate: int = 10) -> tuple[np.ndarray, np.ndarray]:
    return dwellings(n, block_size, per_estate)


def test_same_inputs_and_seed_give_the_same_layout():
    block, estate = blocks()
    a = community_layout(block, estate, INSTITUTIONS, seed=3)
    b = community_layout(block, estate, INSTITUTIONS, seed=3)
    np.testing.assert_array_equal(a.residents, b.residents)
    assert a.institutions == b.institutions and a.bounds == b.bounds


def test_the_seed_moves_only_the_jitter():
    block, estate = blocks()
    a = community_layout(block, estate, INSTITUTIONS, seed=1)
    b = community_layout(block, estate, INSTITUTIONS, seed=2)
    shift = np.hypot(*(a.residents - b.residents).T)
    assert shift.max() > 0
    assert shift.max() < 12 * JITTER  # the same place, a little jittered


def test_households_of_a_block_sit_together_and_blocks_apart():
    block, estate = blocks()
    lay = community_layout(block, estate, INSTITUTIONS)
    centres = np.array([lay.residents[block == b].mean(axis=0) for b in np.unique(block)])
    spread = max(np.hypot(*(lay.residents[block == b] - centres[b]).T).max() for b in np.unique(block))
    assert spread < BLOCK_RADIUS + 5 * JITTER
    gaps = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
    assert gaps[~np.eye(len(centres), dtype=bool)].min() > 2 * BLOCK_RADIUS


def test_estates_do_not_overlap_and_institutions_stand_above():
    block, estate = blocks(1000)
    lay = community_layout(block, estate, INSTITUTIONS)
    boxes = [(lay.residents[estate == e].min(axis=0), lay.residents[estate == e].max(axis=0)) for e in np.unique(estate)]
    for i, (lo_a, hi_a) in enumerate(boxes):
        for lo_b, hi_b in boxes[i + 1 :]:
            assert (hi_a < lo_b).any() or (hi_b < lo_a).any()  # separated along x or y
    top = lay.residents[:, 1].max()
    assert set(lay.institutions) == set(INSTITUTIONS)
    assert all(y > top for _, y in lay.institutions.values())
    xmin, xmax, ymin, ymax = lay.bounds
    assert (lay.residents[:, 0] > xmin).all() and (lay.residents[:, 0] < xmax).all()
    assert (lay.residents[:, 1] > ymin).all() and all(y < ymax for _, y in lay.institutions.values())


def test_the_layout_is_about_as_wide_as_a_slide():
    for n in (100, 500, 2000):
        block, estate = blocks(n)
        xmin, xmax, ymin, ymax = community_layout(block, estate, INSTITUTIONS).bounds
        assert 1.0 < (xmax - xmin) / (ymax - ymin) < 3.5, n


def test_irregular_blocks_from_a_network_file_are_laid_out():
    rng = np.random.default_rng(0)
    block = rng.integers(0, 7, 120)
    estate = (block % 3 == 0).astype(int)  # a block appears in one estate; estates of unequal size
    lay = community_layout(block, estate, INSTITUTIONS)
    assert lay.residents.shape == (120, 2) and np.isfinite(lay.residents).all()
    with pytest.raises(ValueError, match="one entry per dwelling"):
        community_layout(block, estate[:-1], INSTITUTIONS)


def test_the_layout_does_not_touch_the_models_random_streams():
    a = HousingModel(rng=4, residents=200)
    b = HousingModel(rng=4, residents=200)
    community_layout(a.state.block, a.state.estate, INSTITUTIONS)
    a.run(3)
    b.run(3)
    assert a.timeseries().equals(b.timeseries())


def test_a_session_computes_the_layout_once_per_network():
    session = Session(load_presets(), Settings("co_production", "co_production", residents=200))
    layout = session.layout
    session.step(3)
    session.fire("hub_opening")
    session.set_compare("paternalistic")  # the second model shares the network's layout
    session.step(2)
    assert session.layout is layout
    assert session.layouts_computed == 1
    session.reset(session.settings)
    assert session.layouts_computed == 2
