"""Social mobility: finding and losing work, moving up income bands, and moving home.

An unemployed working-age resident finds work with a monthly chance that
rises with tie-weighted contacts in work, bridging (weak) ties counting more
than bonding (strong) ones (Granovetter 1973, 1995), and with fitted
employment support; it rises with aspiration and falls with internalised
stigma, employers' postcode bias, and an unsettled or unsafe home (a stable
home is the base). Employed residents lose work at a fixed rate and move up a
band with a chance that weak ties also raise. Each household's months since
it last moved into work or up a band are kept: upward mobility is the share
that did so in the last twelve months (a yearly rate, the same in any month
of a steady state). Households move out at a fixed monthly rate and
newcomers (with no ties yet) move in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.parameters import Param, Section
from sim.population import draw_households
from sim.state import INCOME_BANDS, NEVER

if TYPE_CHECKING:
    from sim.model import HousingModel

PARAMETERS = Section(
    "mobility",
    "Work, income and moving home.",
    (
        Param("job_finding", 0.012, "probability per month", "assumption, set so employment stays near its starting rate; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "Base chance an unemployed working-age resident finds work in a month.", 0.0, 1.0, plausible=(0.004, 0.03)),
        Param("weak_tie_weight", 0.5, "per unit of tie strength", "assumption (Granovetter 1973, 1995: about half of jobs found through contacts, mostly weak ties)", "Lift in job finding per unit of bridging tie strength to people in work.", 0.0, 10.0, plausible=(0.1, 1.0)),
        Param("strong_tie_weight", 0.1, "per unit of tie strength", "assumption (Granovetter 1973)", "Lift in job finding per unit of bonding tie strength to people in work.", 0.0, 10.0, plausible=(0.0, 0.3)),
        Param("support_weight", 1.0, "per share of need met", "assumption", "Lift in job finding from employment support that meets the resident's need.", 0.0, 10.0, plausible=(0.5, 2.0)),
        Param("stigma_weight", 0.6, "share [0, 1]", "assumption (Corrigan et al. 2009: why try)", "Share of job search lost at full internalised stigma.", 0.0, 1.0, plausible=(0.3, 0.9)),
        Param("job_loss", 0.015, "probability per month", "assumption", "Chance an employed resident loses work in a month.", 0.0, 1.0, plausible=(0.008, 0.025)),
        Param("progression", 0.008, "probability per month", "assumption", "Base chance an employed resident moves up an income band in a month.", 0.0, 1.0, plausible=(0.004, 0.016)),
        Param("settle_years", 1.0, "years", "assumption", "Time for a new household to become about 63% settled.", 0.01, 50.0, plausible=(0.5, 3.0)),
        Param("repairs_insecurity", 0.3, "share per need unit", "assumption", "Share of stability lost per unit of unmet repairs need (an unsafe home).", 0.0, 1.0, plausible=(0.1, 0.5)),
        Param("job_efficacy", 0.1, "index", "assumption", "Rise in efficacy on finding work, as a share of the room left.", 0.0, 1.0, plausible=(0.05, 0.2)),
        Param("churn_rate", 0.0074, "probability per month", "English Housing Survey 2016-17: 11.3 years mean time at address, so about 1/136 per month", "Chance a household moves out in a month.", 0.0, 1.0),
    ),
)


def job_finding_chance(weak, strong, support, aspiration, stigma, stability, postcode_penalty, p) -> np.ndarray:
    """Monthly chance of finding work for each resident, in [0, 1]."""
    chance = (
        p.job_finding
        * (1.0 + p.weak_tie_weight * weak + p.strong_tie_weight * strong)
        * (1.0 + p.support_weight * support)
        * (0.5 + aspiration)
        * (1.0 - p.stigma_weight * stigma)
        * (1.0 - postcode_penalty)
        * (0.5 + 0.5 * stability)
    )
    return np.clip(chance, 0.0, 1.0)


def stability(tenure_months, unmet_repairs, p) -> np.ndarray:
    """How settled and secure a household's home is, in [0, 1]."""
    settled = 1.0 - np.exp(-tenure_months / (12.0 * p.settle_years))
    return settled * np.clip(1.0 - p.repairs_insecurity * unmet_repairs, 0.0, 1.0)


def job_finding_chances(model: HousingModel) -> tuple[np.ndarray, np.ndarray]:
    """This month's chance of finding work per resident, and each resident's weak-tie strength to people in work."""
    s, p, net = model.state, model.params.mobility, model.network
    employed = s.employed.astype(float)
    strong, weak = net.contact_sums(employed)
    postcode = model.params.stigma.employer_stigma * model.external_stigma
    chance = job_finding_chance(weak, strong, model.month.employment_support, s.aspiration, s.stigma, stability(s.tenure_months, s.unmet_repairs, p), postcode, p)
    return chance, weak


def work(model: HousingModel) -> None:
    """Phase: jobs found and lost, bands gained; a month more in the home."""
    from sim.kernels import households as kernels  # numba, only when a model runs

    s, p, net = model.state, model.params.mobility, model.network
    n = s.n
    strong, weak = net.contact_sums(s.employed.astype(float))
    settled = 1.0 - np.exp(-s.tenure_months / (12.0 * p.settle_years))  # stability()'s exp, in numpy
    u_find = model.streams["job_finding"].random(n)
    u_lose = model.streams["job_loss"].random(n)
    u_up = model.streams["progression"].random(n)
    # job_finding_chance(), stability(), then who finds and loses work and moves up a band, per household in a compiled loop:
    kernels.work(weak, strong, model.month.employment_support, s.aspiration, s.stigma, settled, s.unmet_repairs, u_find, u_lose, u_up,
                 p.job_finding, p.weak_tie_weight, p.strong_tie_weight, p.support_weight, p.stigma_weight,
                 1.0 - model.params.stigma.employer_stigma * model.external_stigma, p.repairs_insecurity, p.job_loss, p.progression, p.job_efficacy,
                 INCOME_BANDS - 1, NEVER, s.working_age, s.employed, s.income_band, s.efficacy, s.months_since_moved_up, s.tenure_months)


def move(model: HousingModel) -> None:
    """Phase, after the month is measured: households move out and newcomers, with no ties yet, move in."""
    s, net = model.state, model.network
    leaving = np.flatnonzero(model.streams["moves"].random(s.n) < model.params.mobility.churn_rate)
    if len(leaving):
        newcomers = draw_households(model.streams["newcomers"], len(leaving), model.params.population, newcomers=True)
        s.replace_households(leaving, newcomers)
        net.cut(leaving)
