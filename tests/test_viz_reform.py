"""The difference charts show what the reform changes, the same way round whichever side it is on, on shared scales."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.policies import LADDER, POLICIES, ladder_order
from sim.viz.figures import DifferenceFigure
from sim.viz.plots import DIFFERENCE_PANELS, GOOD, scale_of
from sim.viz.reform import difference_caption, in_reform_order, reform_sides

WORKSHOP_OUTCOMES = (
    "trust_landlord", "stigma", "wellbeing", "need_fit", "employment_rate", "participation",
    "bonding", "bridging", "linking", "tsm_satisfied", "tsm_listens", "tsm_informed", "cost",
)  # fmt: skip


def test_policies_climb_the_ladder_in_order():
    order = ["paternalistic", "consultation", "co_design", "co_production"]
    assert [ladder_order(name) for name in order] == [0, 1, 2, 3]
    assert all(POLICIES[name].rung in LADDER for name in POLICIES)


@pytest.mark.parametrize(
    ("a", "b", "sides"),
    [
        ("paternalistic", "co_production", ("b", "a")),  # act 3: the reform in B
        ("consultation", "paternalistic", ("a", "b")),  # act 2: the reform in A
        ("co_design", "paternalistic", ("a", "b")),  # act 5
        ("co_design", "co_production", ("b", "a")),
        ("co_production", "co_production", ("b", "a")),  # the same rung: B minus A
    ],
)
def test_the_reform_is_the_policy_higher_on_the_ladder(a, b, sides):
    assert reform_sides(a, b) == sides
    reform, reference = in_reform_order(("A's", "B's"), a, b)
    assert (reform, reference) == (("A's", "B's") if sides == ("a", "b") else ("B's", "A's"))


def test_the_caption_names_the_reform_first():
    assert difference_caption("Co-design", "Paternalistic", "co_design", "paternalistic") == "What Co-design (A) changes, against Paternalistic (B)"


def test_the_workshop_s_outcomes_are_all_charted():
    assert set(WORKSHOP_OUTCOMES) <= set(DIFFERENCE_PANELS)


def frames(changes: dict[str, float], months: int = 12) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A reference at 0.3 (100 GBP for cost) and a reform that moves each column by ``changes`` over the months."""
    step = np.arange(1, months + 1)
    reference = pd.DataFrame({"step": step, **{c: np.full(months, 100.0 if c == "cost" else 0.3) for c in DIFFERENCE_PANELS}})
    reform = reference.copy()
    for column, change in changes.items():
        reform[column] = reference[column] + change * step / months
    return reform, reference


def test_outcomes_of_one_kind_share_a_scale_so_small_changes_look_small():
    figure = DifferenceFigure(120)
    figure.render(*frames({"trust_landlord": 0.015, "bridging": 0.4, "tsm_listens": 0.02, "tsm_satisfied": 0.3, "cost": 12.0}))
    limits = {column: ax.get_ylim() for column, ax in zip(figure.plot.columns, figure.plot.axes, strict=True)}
    for kind in ("index", "points"):
        assert len({limits[c] for c in DIFFERENCE_PANELS if scale_of(c) == kind}) == 1, kind
    assert limits["trust_landlord"] == limits["bridging"] and limits["bridging"][1] >= 0.4
    assert limits["tsm_listens"][1] >= 30.0  # points: 0.3 is 30 points
    assert limits["cost"][1] >= 12.0 and limits["cost"] != limits["tsm_listens"]


def test_a_gain_for_residents_shades_blue_and_a_loss_hatched():
    figure = DifferenceFigure(120)
    figure.render(*frames({"trust_landlord": 0.1, "stigma": 0.1, "cost": -5.0}))
    good, bad = figure.plot.fills["trust_landlord"]
    assert len(good.get_paths()) == 1 and len(bad.get_paths()) == 1
    assert good.get_paths()[0].vertices[:, 1].max() > 0.05 and np.allclose(bad.get_paths()[0].vertices[:, 1], 0.0)
    good, bad = figure.plot.fills["stigma"]  # more stigma is worse
    assert bad.get_paths()[0].vertices[:, 1].max() > 0.05 and bad.get_hatch()
    good, _ = figure.plot.fills["cost"]  # lower cost is better
    assert good.get_paths()[0].vertices[:, 1].min() < -2.0
    assert np.allclose(good.get_facecolor()[0][:3], np.array([int(GOOD[i : i + 2], 16) for i in (1, 3, 5)]) / 255)


def test_the_axes_stay_still_for_most_steps():
    figure = DifferenceFigure(120)
    reform, reference = frames({"trust_landlord": 0.2, "tsm_listens": 0.3, "cost": 10.0}, months=36)  # growing month by month
    for months in range(1, 37):
        figure.render(reform.head(months), reference.head(months))
    assert figure.full_redraws <= 12  # each of three scales widens a few times, with room to grow; the axes are otherwise kept
