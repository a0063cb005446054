"""Figures of a scenario discovery: the PRIM peeling trajectory and the first box over its two main parameters.

Colours are Okabe-Ito blue and vermilion, with different markers too, so
cases and other points stay apart for colour-blind readers and in grey print.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from sim import palette
from sim.batch.discovery import Discovery, inside
from sim.batch.figures import save

CASE = palette.VERMILLION
OTHER = palette.BLUE


def write(found: Discovery, trajectories: list[pd.DataFrame], x: pd.DataFrame, y: np.ndarray, margin: pd.Series, folder: Path) -> list[Path]:
    written = []
    if trajectories:
        written.append(trajectory(found, trajectories[0], folder / "peeling_trajectory.png"))
    if found.boxes and found.boxes[0].restrictions:
        written.append(box(found, x, y, folder / "box.png"))
    return written


def trajectory(found: Discovery, steps: pd.DataFrame, path: Path) -> Path:
    """Coverage against density along the first box's peeling trajectory; the chosen box marked."""
    figure = Figure(figsize=(6.4, 4.6), layout="constrained")
    ax = figure.subplots()
    points = ax.scatter(steps["coverage"], steps["density"], c=steps["res_dim"], cmap="viridis", s=22, zorder=3)
    ax.plot(steps["coverage"], steps["density"], color="#999999", linewidth=0.8, zorder=2)
    chosen = found.boxes[0]
    ax.scatter([chosen.coverage], [chosen.density], s=160, facecolors="none", edgecolors="black", linewidths=1.6, zorder=4, label="box chosen")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("coverage: share of all cases inside the box")
    ax.set_ylabel("density: share of points inside that are cases")
    bar = figure.colorbar(points, ax=ax)
    bar.set_label("parameters restricted")
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    ax.legend(loc="lower left", fontsize=9)
    ax.set_title(f"PRIM peeling trajectory: where {found.question.case_text()}", fontsize=10, loc="left", wrap=True)
    ax.grid(True, color="#eeeeee")
    return save(figure, path)


def box(found: Discovery, x: pd.DataFrame, y: np.ndarray, path: Path) -> Path:
    """The points over the first box's two main parameters (one when only one is restricted), cases marked, the box drawn."""
    first = found.boxes[0]
    restricted = [r.parameter for r in first.restrictions][:2]
    if len(restricted) == 1:
        others = [c for c in x.columns if c != restricted[0]]
        restricted.append(others[0] if others else restricted[0])
    px, py = restricted
    figure = Figure(figsize=(7.4, 5.8), layout="constrained")
    ax = figure.subplots()
    hidden = [r for r in first.restrictions if r.parameter not in (px, py)]
    within = inside(x, hidden)  # points that meet the box's restrictions this picture cannot show
    for mask, alpha, suffix in ((within, 0.9, ""), (~within, 0.2, ", outside the box's other restrictions")):
        ax.scatter(x.loc[~y & mask, px], x.loc[~y & mask, py], s=16, color=OTHER, marker="o", alpha=alpha, label=f"other points{suffix}" if mask.any() and (~y & mask).any() else None)
        ax.scatter(x.loc[y & mask, px], x.loc[y & mask, py], s=22, color=CASE, marker="^", alpha=alpha, label=f"cases{suffix}" if (y & mask).any() else None)
    bounds = {r.parameter: r for r in first.restrictions}

    def span(name: str) -> tuple[float, float]:
        low, high = float(x[name].min()), float(x[name].max())
        r = bounds.get(name)
        if r is None:
            return low, high
        return (r.low if r.low is not None else low), (r.high if r.high is not None else high)

    (x0, x1), (y0, y1) = span(px), span(py)
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="black", linewidth=1.8, linestyle="--", label="PRIM box 1"))
    ax.set_xlabel(px)
    ax.set_ylabel(py)
    figure.legend(loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    also = ("\nand " + ", ".join(r.text() for r in hidden)) if hidden else ""
    ax.set_title(f"Where {found.question.case_text()}{also}\ncoverage {first.coverage:.2f}, density {first.density:.2f}", fontsize=10, loc="left")
    ax.grid(True, color="#eeeeee")
    return save(figure, path)
