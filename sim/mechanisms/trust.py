"""Trust: in the landlord, services and neighbours, moving with experience; lost faster than gained.

Each month a resident experiences the landlord through need met and
respect received, and, if they had a say this month (took part, or saw a
change they had won reversed), through the influence they saw their say
have (what was delivered: sim/mechanisms/voice.py) against the influence
they expected. Being asked and then ignored, or promised what is not
delivered, is worse than not being asked (the frustration effect: Folger
1977); being heard beyond expectation is better. Experiences spread by word of mouth: a
resident weighs neighbours' experiences with their own (tie-weighted mean
over the network). Trust moves towards the experience, faster down than up
(Slovic 1993). Trust in neighbours moves towards how embedded a resident is
(contact builds trust). Residents' survey-style perceptions of respect and of
being listened to are moving averages of the same experiences: "listens and
acts" is, for those who had a say, the influence they saw, and for the rest
whether what they asked services for was done (their need met), each blended
with what neighbours report.

**What the landlord is judged on** (``home_weight``, off at 0): the need met
in a tenant's experience of the landlord, and in "listens and acts" for those
who had no say, is ``(1 - home_weight) * need met + home_weight * repairs
need met``, this month's shares. Tenants' satisfaction with their housing
provider is closely coupled to the condition of their home (AIHW National
Social Housing Survey 2018, after dwelling condition, tenant and area
factors), so the home may weigh more than its share of need. It cuts both
ways: a landlord that moves money into repairs gains trust from it, one that
moves money out (to residents' other priorities, or under a cut that falls
on repairs) loses it. Off by default (the rule before it); the calibration
fits it (docs/VALIDATION.md sections 3 and 8c, ``experiments/home_weight.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.parameters import Param, Section
from sim.state import REPAIRS

if TYPE_CHECKING:
    from sim.model import HousingModel

PARAMETERS = Section(
    "trust",
    "How trust moves with experience.",
    (
        Param("gain_rate", 0.08, "share per month", "assumption", "How fast trust rises towards a better experience.", 0.0, 1.0, plausible=(0.04, 0.16)),
        Param("loss_ratio", 3.0, "ratio", "assumption (Slovic 1993: trust is lost faster than it is gained)", "How many times faster trust falls than rises.", 1.0, 20.0, plausible=(1.5, 5.0)),
        Param("word_of_mouth", 0.3, "share [0, 1]", "assumption", "Weight of neighbours' experiences against one's own.", 0.0, 1.0, plausible=(0.1, 0.6)),
        Param("service_weight", 0.6, "weight", "assumption; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "Weight of need met in experience of the landlord.", 0.0, 1.0, plausible=(0.1, 1.0)),
        Param("respect_weight", 0.4, "weight", "assumption", "Weight of respect received in experience of the landlord.", 0.0, 1.0, plausible=(0.2, 0.6)),
        Param("voice_weight", 0.8, "per unit of influence gap", "assumption (Folger 1977: the frustration effect)", "Effect on a resident's experience of the landlord of the influence they saw minus the influence they expected.", 0.0, 5.0, plausible=(0.3, 1.5)),
        Param("neighbour_scale", 4.0, "tie strength", "assumption", "Tie strength at which contact builds about 63% of full trust in neighbours.", 0.01, 100.0, plausible=(2.0, 8.0)),
        Param("home_weight", 0.0, "share [0, 1]", "assumption (AIHW National Social Housing Survey 2018: satisfaction with the housing provider's services is closely coupled to the condition of the home); 0 is the rule before 2026-12-02; fitted in scenarios/england_baseline.toml (docs/VALIDATION.md)", "Share of the need met a tenant judges the landlord on (in trust and in \"listens and acts\" for those without a say) that is repairs need met this month, the rest all need met.", 0.0, 1.0, plausible=(0.0, 1.0)),
        Param("perception_rate", 0.2, "share per month", "assumption", "How fast perceived respect and perceived listening follow experience.", 0.0, 1.0, plausible=(0.1, 0.4)),
    ),
)


def asymmetric_step(trust: np.ndarray, experience: np.ndarray, gain_rate: float, loss_ratio: float) -> np.ndarray:
    """Trust moved towards ``experience``: at ``gain_rate`` up, ``gain_rate * loss_ratio`` down."""
    gap = experience - trust
    rate = np.where(gap >= 0, gain_rate, min(1.0, gain_rate * loss_ratio))
    return np.clip(trust + rate * gap, 0.0, 1.0)


def landlord_experience(need_fit, respect, had_say, influence_seen, voice_expectation, p) -> np.ndarray:
    """A month's experience of the landlord, per resident, in [0, 1]."""
    base = (p.service_weight * need_fit + p.respect_weight * respect) / max(p.service_weight + p.respect_weight, 1e-12)
    voice = np.where(had_say, p.voice_weight * (influence_seen - voice_expectation), 0.0)
    return np.clip(base + voice, 0.0, 1.0)


def judged_need_met(need_fit: np.ndarray, met: np.ndarray, need_left: np.ndarray, home_weight: float) -> np.ndarray:
    """The need met a tenant judges the landlord on: need met overall, with the home (repairs) weighing ``home_weight``.

    ``met`` and ``need_left`` are this month's need met and need still held
    after delivery, per household and domain; a household that held no
    repairs need judges on its need met overall.
    """
    repairs_met = met[:, REPAIRS]
    repairs_held = need_left[:, REPAIRS] + repairs_met
    repairs_fit = np.divide(repairs_met, repairs_held, out=need_fit.copy(), where=repairs_held > 0)
    return (1.0 - home_weight) * need_fit + home_weight * repairs_fit


def with_word_of_mouth(own: np.ndarray, heard: np.ndarray, weight: float) -> np.ndarray:
    """Own experience blended with what neighbours report."""
    return (1.0 - weight) * own + weight * heard


def update(model: HousingModel) -> None:
    """Phase: trust in landlord, services and neighbours; perceived respect and listening."""
    from sim.kernels import households as kernels  # numba, only when a model runs

    s, p, net = model.state, model.params.trust, model.network
    respect = model.month.respect
    had_say = s.had_say()

    # Own experiences this month: of the landlord, of services, and of being
    # listened to ("listens to your views and acts on them": those who had a
    # say judge by the influence they saw it have; others by whether what
    # they asked services for was done). Word of mouth blends in neighbours'
    # (tie-weighted means). The landlord is judged on need met with the home
    # weighing home_weight (need_fit itself when it is 0: today's rule).
    # The functions above, per household, in compiled loops:
    judged = s.need_fit if p.home_weight == 0.0 else judged_need_met(s.need_fit, model.month.met, s.need, p.home_weight)
    own = np.empty((3, s.n))  # own experiences of the landlord, of services (need-fit) and of being listened to
    kernels.own_experiences(judged, s.need_fit, respect, had_say, s.influence_seen, s.voice_expectation, p.service_weight, p.respect_weight,
                            max(p.service_weight + p.respect_weight, 1e-12), p.voice_weight, own)
    bonding, bridging = net.contact_sums_of(own)
    embedded = 1.0 - np.exp(-(net.bonding_strength() + net.bridging_strength()) / p.neighbour_scale)
    kernels.trust(own, bonding, bridging, net.bonding_strength(), net.bridging_strength(), embedded, respect, 1.0 - p.word_of_mouth, p.word_of_mouth,
                  p.gain_rate, min(1.0, p.gain_rate * p.loss_ratio), p.perception_rate,
                  s.trust_landlord, s.trust_services, s.trust_neighbours, s.voice_felt, s.respect_felt)
