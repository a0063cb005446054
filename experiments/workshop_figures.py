"""The figures docs/workshop.md quotes, act by act, from the same links the guide opens in the app.

    python experiments/workshop_figures.py            # seed 1, as in the guide
    python experiments/workshop_figures.py --seed 4   # another community: the numbers move, the directions should not

Each act builds the app's own session from the guide's link (``start_from_address`` and
``Session`` in sim/viz), steps it as the guide says (a year is 12 steps; an event button
fires between months, as in the app) and prints what the app shows at the months the guide
quotes: survey shares as the cards show them (whole percent), other outcomes to two decimals.
A is the link's preset, B its ``compare`` policy. Takes a few seconds.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.viz.app import PRESETS, start_from_address
from sim.viz.session import Session


def run(link: str, seed: int, months: int, press: dict[int, str] | None = None) -> list[pd.DataFrame]:
    """Open ``link`` (the part after ``?``) with ``seed``, step ``months`` months, pressing an event button after the months in ``press``."""
    session = Session(PRESETS, replace(start_from_address(link).settings, seed=seed))
    for month in range(months):
        if press and month in press:
            session.fire(press[month])
        session.step()
    return [frame.set_index("step") for frame in session.frames()]


def pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def num(value: float) -> str:
    return f"{value:.2f}"


def pair(frames: list[pd.DataFrame], column: str, month: int, shown=num) -> str:
    """``A x against B y`` at ``month``."""
    a, b = (frame.loc[month, column] for frame in frames)
    return f"{shown(a)} against {shown(b)}"


def act1(seed: int) -> None:
    print("Act 1. Meet the community (paternalistic, 500 households): nothing drifts")
    (a,) = run("preset=paternalistic&residents=500", seed, 24)
    print(f"  trust in the landlord: month 1 {num(a.loc[1, 'trust_landlord'])}, month 24 {num(a.loc[24, 'trust_landlord'])}")


def act2(seed: int) -> None:
    print("\nAct 2. Asked and ignored: A consultation that acts on nothing, B paternalistic, month 36")
    ab = run("preset=consultation_ignored&compare=paternalistic&residents=500", seed, 36)
    print(f"  listens and acts (TP06) {pair(ab, 'tsm_listens', 36, pct)}; satisfied (TP01) {pair(ab, 'tsm_satisfied', 36, pct)}")
    print(f"  trust {pair(ab, 'trust_landlord', 36)}")
    print("  Then the preset Consultation (acts on a tenth), B still paternalistic: trust")
    ab = run("preset=consultation&compare=paternalistic&residents=500", seed, 120)
    for month in (12, 36, 120):
        print(f"    month {month}: {pair(ab, 'trust_landlord', month)}")


def act3(seed: int) -> list[pd.DataFrame]:
    print("\nAct 3. Sharing power: A paternalistic, B co-production, month 36")
    ab = run("preset=paternalistic&compare=co_production&residents=500", seed, 36)
    print(f"  trust {pair(ab, 'trust_landlord', 36)}; listens and acts (TP06) {pair(ab, 'tsm_listens', 36, pct)}; "
          f"respect (TP08) {pair(ab, 'tsm_respect', 36, pct)}")
    print(f"  stigma {pair(ab, 'stigma', 36)}; need met {pair(ab, 'need_fit', 36)}; in work {pair(ab, 'employment_rate', 36, pct)}")
    a, b = (frame.loc[36, "cost"] for frame in ab)
    print(f"  cost GBP {a:.0f} against {b:.0f} per household per month: B costs {b - a:.1f} more")
    return ab


def act4(seed: int) -> None:
    print("\nAct 4. Who takes part? A co-production without outreach, B co-production, 1,000 households")
    a, b = run("preset=co_production_no_outreach&compare=co_production&residents=1000&colour=participation", seed, 24)
    for name, frame in (("A (no outreach)", a), ("B (outreach)", b)):
        least, most = frame.loc[12, "participation_least_stigmatised"], frame.loc[12, "participation_most_stigmatised"]
        print(f"  {name}, month 12: least stigmatised fifth {100 * least:.1f}%, most {100 * most:.1f}% ({least / most:.1f} times)")
    for month in (12, 24):
        print(f"  month {month}, need met, A against B: everyone {pair([a, b], 'need_fit', month)}, "
              f"most stigmatised fifth {pair([a, b], 'need_fit_most_stigmatised', month)}")


def act5(seed: int) -> None:
    print("\nAct 5. When things go wrong: A co-design, B paternalistic; scandal at month 24, a third of the budget cut at month 48")
    ab = run("preset=scandal_and_cuts&compare=paternalistic&residents=500", seed, 120)
    for month in (36, 48, 60, 84, 120):
        print(f"  month {month}: trust {pair(ab, 'trust_landlord', month)}")
    print(f"  month 60: respect (TP08) {pair(ab, 'tsm_respect', 60, pct)}; need met {pair(ab, 'need_fit', 60)}")
    a = ab[0]
    print(f"  A's staff respect: month 47 {num(a.loc[47, 'landlord_respect'])}, month 60 {num(a.loc[60, 'landlord_respect'])} "
          f"(B: {num(ab[1].loc[60, 'landlord_respect'])})")
    unfunded = a.loc[48:, "requests_funded"].eq(0)
    print(f"  A funds none of residents' requests from month 48 to month {unfunded.idxmin() - 1}")
    (hub,) = run("preset=paternalistic&residents=500", seed, 24, press={12: "hub_opening"})
    print(f"  Act 1's link, Hub opens at month 12: bridging {num(hub.loc[12, 'bridging'])} at month 12, {num(hub.loc[24, 'bridging'])} at month 24")


def table(seed: int, act3_frames: list[pd.DataFrame]) -> None:
    print("\nWhich presets make which point")
    (a,) = run("preset=consultation_then_co_production&residents=500", seed, 60)
    print(f"  From consultation to co-production (switch at month 37): trust {num(a.loc[36, 'trust_landlord'])} at month 36, "
          f"{num(a.loc[60, 'trust_landlord'])} at month 60; co-production from the start (act 3, B) "
          f"{num(act3_frames[1].loc[24, 'trust_landlord'])} at month 24")
    ab = run("preset=accurate_paternalism&compare=co_production&residents=500", seed, 60)
    a, b = (frame.loc[60, "cost"] for frame in ab)
    print(f"  Paternalism where professionals are right against co-production, month 60: need met {pair(ab, 'need_fit', 60)}; "
          f"cost GBP {a:.0f} against {b:.0f} ({100 * (b / a - 1):.0f}% more)")
    print(f"    wellbeing gap {pair(ab, 'equity_gap', 60, lambda v: f'{v:.3f}')}; trust {pair(ab, 'trust_landlord', 60)}; "
          f"bridging {pair(ab, 'bridging', 60)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1, help="the app's seed (default 1, as in the guide)")
    seed = parser.parse_args().seed
    print(f"docs/workshop.md figures, seed {seed} (A against B)\n")
    act1(seed)
    act2(seed)
    frames = act3(seed)
    act4(seed)
    act5(seed)
    table(seed, frames)


if __name__ == "__main__":
    main()
