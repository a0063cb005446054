"""Who lives here: drawing households, for the first community and for newcomers.

Traits hang together through one latent "advantage" score per household:
residents with more of it are more often in work, more confident, less
stigmatised and (an assumption the model's results depend on, so stated here
and in docs/ODD.md) their needs lean to community space rather than to
employment and health. That is what makes "who participates" matter: a
landlord that hears only the confident hears a biased account of needs.
"""

from __future__ import annotations

import numpy as np

from sim.arraytools import expit
from sim.parameters import Param, Section
from sim.state import COMMUNITY, EMPLOYMENT, HEALTH, INCOME_BANDS, HouseholdTraits

PARAMETERS = Section(
    "population",
    "Who lives in the community: the distributions households are drawn from.",
    (
        Param("working_age_share", 0.7, "share [0, 1]", "assumption, near the English Housing Survey age profile of social renters", "Share of household reference persons of working age.", 0.0, 1.0),
        Param("employment_rate", 0.52, "share [0, 1]", "Resolution Foundation (Judge 2019): just over half of working-age social renters in work", "Share of working-age residents in work at the start.", 0.0, 1.0),
        Param("advantage_loading", 0.8, "logit units per s.d.", "assumption", "How strongly traits follow the household's latent advantage.", 0.0, 5.0, plausible=(0.4, 1.2)),
        Param("trait_noise", 0.8, "logit s.d.", "assumption", "Individual spread of traits around what advantage predicts.", 0.0, 5.0, plausible=(0.4, 1.2)),
        Param("efficacy_mean", 0.5, "index [0, 1]", "assumption", "Typical confidence that one's actions make a difference.", 0.01, 0.99, plausible=(0.35, 0.65)),
        Param("stigma_mean", 0.3, "index [0, 1]", "assumption; Shelter/YouGov 2018: 24% of social-renting families feel looked down on", "Typical internalised stigma at the start.", 0.01, 0.99, plausible=(0.2, 0.45)),
        Param("trust_landlord_mean", 0.62, "index [0, 1]", "assumption, near TSM 2023/24 median satisfaction 71.3%", "Typical trust in the landlord at the start.", 0.01, 0.99),
        Param("trust_neighbours_mean", 0.5, "index [0, 1]", "ONS from Understanding Society 2011/12: 43% (unemployed) to 54% (routine jobs) trust neighbours", "Typical trust in neighbours at the start.", 0.01, 0.99),
        Param("trust_services_mean", 0.55, "index [0, 1]", "assumption", "Typical trust in services at the start.", 0.01, 0.99),
        Param("voice_expectation", 0.5, "share [0, 1]", "assumption", "Influence a resident expects when first asked for their views.", 0.0, 1.0, plausible=(0.3, 0.7)),
        Param("tenure_mean_years", 11.3, "years", "English Housing Survey 2016-17: mean time at address of social renters 11.3 years", "Mean time in the home of the households present at the start.", 0.0, 80.0),
        Param("trust_advantage_share", 0.3, "share of advantage_loading", "assumption", "How strongly the three trusts follow advantage, relative to efficacy and stigma.", 0.0, 5.0),
        Param("need_spread", 0.5, "log s.d.", "assumption", "Household spread of need around the domain's mean arrival (a mean-one lognormal).", 0.0, 3.0),
        Param("need_advantage_gradient", 0.5, "log units per s.d. of advantage", "assumption (results depend on it: see the module docstring)", "How much health need falls, and community-space need rises, per s.d. of advantage.", 0.0, 3.0, plausible=(0.2, 1.0)),
        Param("jobless_employment_need", 2.0, "multiple of mean arrival", "assumption", "Employment need of a working-age resident out of work.", 0.0, 20.0, plausible=(1.0, 3.0)),
        Param("employed_employment_need", 0.4, "multiple of mean arrival", "assumption", "Employment need of a resident in work (progression, in-work support).", 0.0, 20.0),
        Param("carer_share", 0.25, "share [0, 1]", "assumption (lone parents and unpaid carers are a sizeable minority of social-renting households)", "Share of households with caring responsibilities (a lone parent, an unpaid carer).", 0.0, 1.0, plausible=(0.1, 0.4)),
        Param("caring_time", 1.0, "logit units", "assumption", "How much less free time a household with caring responsibilities has (being in work costs 1).", 0.0, 10.0, plausible=(0.5, 2.0)),
        Param("need_arrival", (0.25, 0.12, 0.12, 0.08), "need units per household per month (repairs, employment, health, community)", "assumption", "Mean new need arising per month in each domain, before household differences.", 0.0, 5.0),
    ),
)


def _logit(p: float) -> float:
    # Shares of exactly 0 or 1 are allowed: treat them as all but certain.
    p = min(max(p, 1e-9), 1.0 - 1e-9)
    return float(np.log(p / (1.0 - p)))


def draw_households(rng: np.random.Generator, n: int, p, newcomers: bool) -> HouseholdTraits:
    """Draw ``n`` households from the population distributions ``p`` (section values).

    ``newcomers`` households have just moved in (tenure 0); otherwise tenure
    is drawn around the English mean. The number and order of draws depend
    only on ``n``, so the same stream gives the same households under any policy.
    """
    z = rng.standard_normal(n)
    noise = rng.standard_normal((n, 7)) * p.trait_noise
    a = p.advantage_loading
    working_age = rng.random(n) < p.working_age_share
    employed = working_age & (rng.random(n) < expit(_logit(p.employment_rate) + a * z))
    band_draw = rng.random(n)
    income_band = np.clip(np.floor(employed * 2 + expit(a * z) * 2 + band_draw), 0, INCOME_BANDS - 1).astype(np.int64)
    efficacy = expit(_logit(p.efficacy_mean) + a * z + noise[:, 0])
    stigma = expit(_logit(p.stigma_mean) - a * z + noise[:, 1])
    b = p.trust_advantage_share * a
    trust_landlord = expit(_logit(p.trust_landlord_mean) + b * z + noise[:, 2])
    trust_neighbours = expit(_logit(p.trust_neighbours_mean) + b * z + noise[:, 3])
    trust_services = expit(_logit(p.trust_services_mean) + b * z + noise[:, 4])
    aspiration = expit(a * z + noise[:, 6])
    voice_expectation = np.full(n, p.voice_expectation)

    # Household differences in need: employment need only for working-age
    # people out of work; health need falls with advantage; community-space
    # need rises with it (assumption, see module docstring).
    arrival = np.asarray(p.need_arrival, dtype=float)
    sigma = p.need_spread
    spread = np.exp(sigma * rng.standard_normal((n, len(arrival))) - sigma**2 / 2)  # mean one
    profile = arrival * spread
    profile[:, EMPLOYMENT] *= np.where(working_age & ~employed, p.jobless_employment_need, np.where(working_age, p.employed_employment_need, 0.0))
    profile[:, HEALTH] *= np.exp(-p.need_advantage_gradient * z)
    profile[:, COMMUNITY] *= np.exp(p.need_advantage_gradient * z)

    tenure = np.zeros(n) if newcomers else rng.exponential(p.tenure_mean_years * 12.0, n)
    # Time is what taking part costs: work and caring leave the least of it.
    carer = rng.random(n) < p.carer_share
    time_available = expit(0.5 - 1.0 * employed - p.caring_time * carer + noise[:, 5])
    return HouseholdTraits(
        advantage=z,
        need_profile=profile,
        need=profile.copy(),
        working_age=working_age,
        employed=employed,
        income_band=income_band,
        efficacy=efficacy,
        stigma=stigma,
        trust_landlord=trust_landlord,
        trust_neighbours=trust_neighbours,
        trust_services=trust_services,
        voice_expectation=voice_expectation,
        time_available=time_available,
        aspiration=aspiration,
        tenure_months=tenure,
        carer=carer,
    )
