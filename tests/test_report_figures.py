"""The report's figures read on their own: named outcomes with units and a direction cue, one legend, honest scales.

Each figure is inspected as a matplotlib Figure before it is saved
(``figures.build_all``, ``sensitivity.build_plot``), from small real batches.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim import outcome_table, palette
from sim.batch import figures, report, results, sensitivity
from sim.cli import main
from tests.batch_runs import write_posterior

UNIT_WORDS = ("(0 to 1)", "0-1 index", "percentage point", "GBP", "years", "Morris mu*", "Sobol index")
"""Words that say what unit an axis reads (the outcome table's unit texts, and the sensitivity indices' scales)."""
POSTERIOR_OUTCOMES = ["trust_landlord", "stigma", "bridging", "tsm_listens", "cost"]


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """``run.py compare`` of three scenarios, 3 seeds, a year, 60 households: every figure of a comparison."""
    out = tmp_path_factory.mktemp("figures") / "compare"
    assert main(["compare", "paternalistic", "consultation", "co_production", "--seeds", "3", "--steps", "12",
                 "--set", "community.residents=60", "--workers", "1", "--out", str(out), "--quiet"]) == 0
    return report.analyse(results.load(out))


@pytest.fixture(scope="module")
def posterior(tmp_path_factory):
    """England today and two policies from it, over 3 posterior draws x 2 seeds (the main job's kind of batch, tiny)."""
    folder = tmp_path_factory.mktemp("posterior")
    write_posterior(folder / "post")
    outcomes = ", ".join(f'"{o}"' for o in POSTERIOR_OUTCOMES)
    (folder / "e.toml").write_text(
        'name = "tiny headline"\nscenarios = ["england_baseline", "paternalistic", "co_production"]\nstart_from = "england_baseline"\n'
        f'baseline = "england_baseline"\nseeds = 2\nsteps = 3\noutcomes = [{outcomes}]\n'
        '[constants]\ncommunity.residents = 60\n[posterior]\nfile = "post"\ndraws = 3\n')
    out = folder / "out"
    assert main(["batch", str(folder / "e.toml"), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    return out


def data_axes(figure: Figure) -> list[Axes]:
    """The panels that show data (not hidden spare cells)."""
    return [ax for ax in figure.axes if ax.get_visible() and (ax.lines or ax.collections or ax.patches or ax.images)]


def outcome_of(ax: Axes, outcomes: list[str]) -> str | None:
    """The outcome a panel shows, from its title (the outcome table's label, wrapped)."""
    text = " ".join(ax.get_title().split())
    return next((o for o in sorted(outcomes, key=lambda o: -len(outcome_table.label(o))) if text.startswith(outcome_table.label(o))), None)


def assert_readable(figure: Figure, outcomes: list[str], cues: bool = True) -> None:
    """Every data panel has an axis label with a unit (its own, or that of a panel it shares the value axis with); every outcome panel
    names its outcome and (with ``cues``) which way is better; one legend."""
    panels = data_axes(figure)
    assert panels
    for ax in panels:
        shared = " ".join(other.get_ylabel() for other in ax.get_shared_y_axes().get_siblings(ax))
        labels = f"{ax.get_xlabel()} {ax.get_ylabel()} {shared}"
        assert labels.strip(), f"panel {ax.get_title()!r} has no axis label"
        assert any(word in labels for word in UNIT_WORDS), f"panel {ax.get_title()!r} reads values without a unit: {labels!r}"
        assert ax.get_legend() is None, "one legend per figure, not one per panel"
        outcome = outcome_of(ax, outcomes)
        if outcome is not None and cues:
            assert outcome_table.direction_cue(outcome) in ax.get_title(), ax.get_title()
    assert len(figure.legends) == 1


def outcome_panels(figure: Figure, outcomes: list[str]) -> dict[str, Axes]:
    found = {outcome_of(ax, outcomes): ax for ax in data_axes(figure)}
    found.pop(None, None)
    return found


def assert_units_share_limits(panels: dict[str, Axes], axis: str) -> None:
    by_unit: dict[str, set[tuple[float, float]]] = {}
    for outcome, ax in panels.items():
        limits = ax.get_xlim() if axis == "x" else ax.get_ylim()
        by_unit.setdefault(figures.unit(outcome), set()).add(tuple(round(v, 9) for v in limits))
    for unit, limits in by_unit.items():
        assert len(limits) == 1, f"panels in {unit} do not share one scale: {limits}"


def has_zero_line(ax: Axes) -> bool:
    return any(np.allclose(line.get_xdata(), 0) and len(line.get_xdata()) == 2 for line in ax.lines)


# -- a comparison of scenarios ------------------------------------------------------------------------------------


def test_every_figure_of_a_comparison_is_readable(compared):
    built = figures.build_all(compared)
    assert set(built) == {"timeseries.png", "finals.png", "differences.png", "equity_gap.png", "returns.png"}
    for name, figure in built.items():
        assert_readable(figure, compared.results.outcomes), name


def test_levels_start_at_zero_and_share_a_scale_by_unit(compared):
    outcomes = compared.results.outcomes
    finals = outcome_panels(figures.build_finals(compared), outcomes)
    assert set(finals) == set(outcomes)
    assert_units_share_limits(finals, "x")
    for outcome, ax in finals.items():
        low, high = ax.get_xlim()
        assert low <= 0 < high, (outcome, low, high)
        if figures.unit(outcome) in ("share", "index") and outcome != "equity_gap":  # a gap may be negative
            assert (low, high) == (0.0, 1.0)
    over_time = outcome_panels(figures.build_timeseries(compared), outcomes)
    assert set(over_time) == set(figures.key_outcomes(outcomes))
    for outcome, ax in over_time.items():
        assert ax.get_ylim()[0] <= 0 < ax.get_ylim()[1], outcome
        assert ax.get_xlabel() == "month"
    gap = figures.build_equity_gap(compared)
    assert all(ax.get_ylim()[0] <= 0 for ax in data_axes(gap))


def test_changes_have_a_zero_line_and_share_a_scale_by_unit(compared):
    outcomes = compared.results.outcomes
    differences = outcome_panels(figures.build_differences(compared), outcomes)
    assert set(differences) == set(outcomes)
    assert_units_share_limits(differences, "x")
    assert all(has_zero_line(ax) for ax in differences.values())
    returns = data_axes(figures.build_returns(compared))
    assert len(returns) == 2 and returns[0].get_xlim() == returns[1].get_xlim()  # the two policies on one scale
    assert all(has_zero_line(ax) for ax in returns)


def test_scenarios_keep_their_palette_colour(compared):
    figure = figures.build_differences(compared)
    handles = {text.get_text(): handle for text, handle in zip(figure.legends[0].get_texts(), figure.legends[0].legend_handles, strict=True)}
    for scenario in ("consultation", "co_production"):
        assert handles[scenario].get_color() == palette.FIXED[scenario].colour
    assert "paternalistic" not in handles  # the baseline is the zero line of a change, not a row


# -- a batch over posterior draws (the main job) ---------------------------------------------------------------------


def test_a_posterior_batch_gets_levels_and_changes_with_both_intervals(posterior):
    text = (posterior / "report.md").read_text()
    assert "figures/finals.png" in text and "figures/differences.png" in text
    assert (posterior / "figures" / "differences.png").read_bytes()[:4] == b"\x89PNG"
    analysis = report.analyse(results.load(posterior))
    built = figures.build_all(analysis)
    assert set(built) == {"finals.png", "differences.png"}
    for figure in built.values():
        assert_readable(figure, POSTERIOR_OUTCOMES)
        legend = [t.get_text() for t in figure.legends[0].get_texts()]
        assert figures.SEED_INTERVAL in legend and figures.POSTERIOR_INTERVAL in legend
    changes = outcome_panels(built["differences.png"], POSTERIOR_OUTCOMES)
    assert set(changes) == set(POSTERIOR_OUTCOMES)
    assert_units_share_limits(changes, "x")
    assert all(has_zero_line(ax) for ax in changes.values())
    ax = changes["stigma"]
    rows = analysis.differences[analysis.differences["outcome"] == "stigma"]
    low, high = ax.get_xlim()
    assert low <= rows["posterior_low"].min() and rows["posterior_high"].max() <= high  # the wider interval is inside the panel
    assert [t.get_text() for t in changes["trust_landlord"].get_yticklabels()] == ["paternalistic", "co_production"]  # first column: named rows
    levels = outcome_panels(built["finals.png"], POSTERIOR_OUTCOMES)
    assert_units_share_limits(levels, "x")
    assert all(ax.get_xlim()[0] <= 0 for ax in levels.values())


# -- the sensitivity indices, ranked -----------------------------------------------------------------------------------


def _indices(method: str, parameters: int = 14) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for outcome in ("trust_landlord", "stigma", "cost"):
        values = rng.uniform(0, 1, parameters)
        for i, value in enumerate(values):
            row = {"scenario": "co_production", "outcome": outcome, "parameter": f"group.p{i}"}
            if method == "morris":
                row |= {"mu": value, "mu_star": 2 * value, "mu_star_conf": 0.1, "sigma": 0.1, "mu_star_scaled": value / values.max()}
            else:
                row |= {"S1": value / 2, "S1_conf": 0.05, "ST": value, "ST_conf": 0.05}
            rows.append(row)
    return pd.DataFrame(rows)


@pytest.mark.parametrize("method", ["morris", "sobol"])
def test_sensitivity_is_a_ranked_chart_of_the_top_parameters(method):
    table = _indices(method)
    figure = sensitivity.build_plot(table, method)
    assert_readable(figure, ["trust_landlord", "stigma", "cost"], cues=False)  # an index of influence has no better direction
    panels = data_axes(figure)
    assert [" ".join(ax.get_title().split()) for ax in panels] == [outcome_table.label(o) for o in ("trust_landlord", "stigma", "cost")]
    column = sensitivity.main_index(method)
    for ax, outcome in zip(panels, ("trust_landlord", "stigma", "cost"), strict=True):
        labels = [t.get_text() for t in ax.get_yticklabels()]
        expected = table[table["outcome"] == outcome].sort_values(column, ascending=False)["parameter"].head(sensitivity.TOP).tolist()
        assert labels[: sensitivity.TOP] == expected  # largest first, top to bottom
        assert labels[-1] == f"{14 - sensitivity.TOP} others (largest shown)"
        assert ax.get_xlim()[0] == 0
    assert len({ax.get_xlim() for ax in panels}) == 1  # one scale: the indices are compared across outcomes


def test_a_sensitivity_folder_draws_no_scatter_grid(tmp_path):
    from tests.batch_runs import TINY_OUTCOMES, write_experiment

    tables = {"levers": {"policy.outreach": {"low": 0.0, "high": 0.5}}, "uncertainties": {"landlord.humility": {"low": 0.2, "high": 1.0}},
              "sensitivity": {"trajectories": 2, "levels": 4}}
    path = write_experiment(tmp_path / "sa.toml", scenarios=("co_production",), seeds=1, steps=3, residents=60, outcomes=TINY_OUTCOMES[:2], tables=tables)
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--method", "morris", "--workers", "1", "--out", str(out), "--quiet"]) == 0
    assert sorted(p.name for p in (out / "figures").glob("*.png")) == ["sensitivity_morris.png"]
    assert "surface.png" not in (out / "report.md").read_text()
