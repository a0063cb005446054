"""The figures quoted in docs/ODD.md, "Tested expectations": the same runs as tests/test_expectations.py.

    python experiments/expectation_figures.py

Each line prints the means over seeds 1-8 (500 households, paired seeds) of
the outcomes a test compares, and in how many seeds the difference has the
tested sign. Nothing here is asserted: the tests do that; this prints the
numbers the documentation quotes, so they can be checked and refreshed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim import HousingModel
from sim.events import fire_now

ROOT = Path(__file__).resolve().parent.parent
SEEDS = range(1, 9)


def finals(policy: str, months: int, scenario: Path | None = None, **overrides) -> pd.DataFrame:
    """The outcome row at month ``months`` for each seed."""
    return pd.DataFrame({seed: HousingModel(scenario, rng=seed, policy=policy, residents=500, **overrides).run(months).iloc[-1] for seed in SEEDS}).T


def line(title: str, a: pd.DataFrame, b: pd.DataFrame, columns: list[str], names: tuple[str, str]) -> None:
    print(f"\n{title}")
    for column in columns:
        difference = a[column] - b[column]
        print(f"  {column}: {names[0]} {a[column].mean():.3f}, {names[1]} {b[column].mean():.3f} "
              f"(difference {difference.mean():+.3f}; higher in {int((difference > 0).sum())} of {len(difference)} seeds)")


def main() -> None:
    paternal_36, paternal_60 = finals("paternalistic", 36), finals("paternalistic", 60)
    line("1. Asked and ignored (consultation, acts_on_input 0) against paternalism, month 36",
         finals("consultation", 36, policy__acts_on_input=0.0), paternal_36, ["trust_landlord", "tsm_listens"], ("ignored", "paternalistic"))

    early, late = [], []
    for seed in range(1, 5):
        p = HousingModel(rng=seed, residents=500, policy="paternalistic").run(120).set_index("step")
        c = HousingModel(rng=seed, residents=500, policy="consultation").run(120).set_index("step")
        early.append(c.loc[12, "trust_landlord"] - p.loc[12, "trust_landlord"])
        late.append(c.loc[120, "trust_landlord"] - p.loc[120, "trust_landlord"])
    print(f"\n2. Consultation minus paternalism, trust, seeds 1-4: month 12 {np.mean(early):+.3f}, month 120 {np.mean(late):+.3f}")

    line("3. Co-production against paternalism, month 60", finals("co_production", 60), paternal_60,
         ["trust_landlord", "need_fit", "bridging", "linking", "stigma", "tsm_listens", "employment_rate", "cost"], ("co_production", "paternalistic"))

    unfunded = {"voice__flexible_share": 0.02, "voice__request_cost": 200.0}
    for months in (12, 24):
        line(f"4. Unfunded promises: co-production against paternalism, month {months}", finals("co_production", months, **unfunded),
             finals("paternalistic", months, **unfunded), ["trust_landlord", "tsm_satisfied", "tsm_listens", "requests_funded", "landlord_respect"],
             ("co_production", "paternalistic"))

    print("\n5. A 30% cut at month 24, staff respect before and 12 months after (seeds 1-4)")
    for policy in ("co_production", "paternalistic"):
        pairs = []
        for seed in range(1, 5):
            model = HousingModel(rng=seed, residents=500, policy=policy)
            model.run(24)
            before = model.landlord.respect
            fire_now(model, "funding_cut", share=0.3)
            model.run(12)
            pairs.append((before, model.landlord.respect))
        print(f"  {policy}: {np.mean([p[0] for p in pairs]):.3f} -> {np.mean([p[1] for p in pairs]):.3f}")

    with_outreach, without = finals("co_production", 60), finals("co_production", 60, policy__outreach=0.0)
    for name, frame in (("with outreach", with_outreach), ("without outreach", without)):
        ratio = frame["participation_least_stigmatised"].mean() / frame["participation_most_stigmatised"].mean()
        print(f"\n6. Co-production {name}, month 60: least/most stigmatised taking part {ratio:.2f}")
    line("   without minus with outreach", without, with_outreach, ["need_fit_most_stigmatised", "need_fit_least_stigmatised", "equity_gap"], ("without", "with"))

    line("7. Consultation with and without staff contact, month 60", finals("consultation", 60), finals("consultation", 60, policy__staff_contact=0.0),
         ["linking"], ("staff contact 0.1", "none"))
    print(f"   paternalistic linking {paternal_60['linking'].mean():.3f}")

    right = {"landlord__belief_accuracy": 1.0, "services__design_fit": 1.0}
    line("8. Where professionals are right: co-production against paternalism, month 60", finals("co_production", 60, **right),
         finals("paternalistic", 60, **right), ["need_fit", "cost", "equity_gap", "trust_landlord", "employment_rate"], ("co_production", "paternalistic"))

    line("9. Co-production in name only against paternalism, month 36",
         finals("co_production", 36, policy__power_share=0.0, landlord__humility=0.0, policy__staff_contact=0.1), paternal_36,
         ["tsm_listens", "trust_landlord"], ("hollow", "paternalistic"))

    line("10. A community hub (paternalistic) against paternalism, month 36", finals("paternalistic", 36, scenario=ROOT / "scenarios" / "community_hub.toml"),
         paternal_36, ["bridging", "linking", "cost"], ("hub", "no hub"))


if __name__ == "__main__":
    main()
