"""A plain per-agent Mesa formulation of the model's core monthly rules: slow, small, obviously correct.

Each rule is written the way a NetLogo model or a Mesa example would write it:
every Resident agent, in turn (``AgentSet.shuffle_do``), reads its own
attributes and walks its list of neighbours. It implements the same equations
as the vectorised phases (``sim/mechanisms``) for the rules that carry the
model's bulk numeric work: treatment (respect received), trust with word of
mouth, learning from taking part, internalised stigma, wellbeing, and the
weak-tie chance of finding work. Tests check that both give the same numbers
on small communities, and ``experiments/benchmark.py`` reports how much
faster the vectorised form is.

Updates are synchronous, as in the vectorised form: a first pass has every
agent compute from the values at the start of the rule, a second pass writes
them. So the order in which agents are visited cannot matter (a test shuffles it).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.agents import Resident
    from sim.model import HousingModel


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _clip(x: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(max(x, low), high)


def _asymmetric(trust: float, experience: float, gain: float, loss_ratio: float) -> float:
    rate = gain if experience >= trust else min(1.0, gain * loss_ratio)
    return _clip(trust + rate * (experience - trust))


class ReferenceRules:
    """The core rules, agent by agent. Build it on a model, then call :meth:`month_core` in place of the core phases."""

    def __init__(self, model: HousingModel):
        self.model = model
        self.residents = model.residents

    # -- the network, one agent at a time ------------------------------------------

    def neighbours(self, resident: Resident) -> list[tuple[int, float, float]]:
        """``(j, bonding strength, bridging strength)`` for each contact of ``resident``, in index order."""
        net, i = self.model.network, resident.index
        ties: dict[int, list[float]] = {}
        for kind, matrix in enumerate((net.bonding, net.bridging)):
            start, end = matrix.indptr[i], matrix.indptr[i + 1]
            for j, w in zip(matrix.indices[start:end], matrix.data[start:end], strict=True):
                ties.setdefault(int(j), [0.0, 0.0])[kind] += float(w)
        return [(j, ties[j][0], ties[j][1]) for j in sorted(ties)]

    # -- the rules ---------------------------------------------------------------

    def treatment(self) -> None:
        """Staff respect moves with contact under its conditions; each resident's respect received this month."""
        model, landlord, lp = self.model, self.model.landlord, self.model.params.landlord
        room = model.month.room
        taking_part = [r for r in self.residents if r.participated]
        start = landlord.respect
        respect = start
        if taking_part:
            working = len(taking_part) / len(self.residents) * landlord.policy.staff_contact
            equal_status = sum(1.0 for r in taking_part if r.delivered) / len(taking_part)
            common_goals = 1 - 0.5 * sum(abs(b - h) for b, h in zip(landlord.belief, room.heard, strict=True))
            quality = (equal_status * common_goals * (1 - landlord.pressure)) ** (1 / 3)
            if quality >= lp.contact_threshold:
                respect += lp.respect_learning * working * (quality - lp.contact_threshold) / (1 - lp.contact_threshold) * (1 - start)
            else:
                respect -= lp.respect_learning * lp.negative_contact * working * (lp.contact_threshold - quality) / lp.contact_threshold * start
        respect += lp.staff_turnover * (landlord.respect_baseline - start)
        landlord.respect = _clip(respect)
        lens = model.params.stigma.stigma_lens
        received = np.empty(len(self.residents))

        def receive(r: Resident) -> None:
            disadvantage = _logistic(-r.advantage)
            received[r.index] = landlord.respect * (1 - lp.staff_bias * disadvantage) * (1 - lens * r.stigma)

        self.residents.shuffle_do(receive)
        model.month.respect = received

    def trust(self) -> None:
        """Trust in landlord, services and neighbours; perceived listening and respect."""
        model, p = self.model, self.model.params.trust
        respect = model.month.respect
        own: dict[int, tuple[float, float, float]] = {}

        def judged(r: Resident) -> float:
            # The landlord is judged on need met with the home weighing home_weight (this month's repairs need met).
            if p.home_weight == 0.0:
                return r.need_fit
            met = float(model.month.met[r.index, 0])  # repairs is domain 0
            held = float(model.state.need[r.index, 0]) + met
            repairs_fit = met / held if held > 0 else r.need_fit
            return (1 - p.home_weight) * r.need_fit + p.home_weight * repairs_fit

        def experience(r: Resident) -> None:
            need = judged(r)
            base = (p.service_weight * need + p.respect_weight * respect[r.index]) / max(p.service_weight + p.respect_weight, 1e-12)
            had_say = r.participated or bool(model.state.reversed[r.index])
            seen = float(model.state.influence_seen[r.index])
            voice = p.voice_weight * (seen - r.voice_expectation) if had_say else 0.0
            listened = seen if had_say else need
            own[r.index] = (_clip(base + voice), r.need_fit, listened)

        updates: dict[int, tuple[float, ...]] = {}

        def update(r: Resident) -> None:
            contacts = self.neighbours(r)
            weight = sum(wb + wr for _, wb, wr in contacts)
            mine = own[r.index]
            heard = [sum((wb + wr) * own[j][k] for j, wb, wr in contacts) / weight for k in range(3)] if weight > 0 else list(mine)
            landlord, services, listened = ((1 - p.word_of_mouth) * mine[k] + p.word_of_mouth * heard[k] for k in range(3))
            embedded = 1 - math.exp(-weight / p.neighbour_scale)
            updates[r.index] = (
                _asymmetric(r.trust_landlord, landlord, p.gain_rate, p.loss_ratio),
                _asymmetric(r.trust_services, services, p.gain_rate, p.loss_ratio),
                _asymmetric(r.trust_neighbours, embedded, p.gain_rate, p.loss_ratio),
                r.voice_felt + p.perception_rate * (listened - r.voice_felt),
                r.respect_felt + p.perception_rate * (respect[r.index] - r.respect_felt),
            )

        def write(r: Resident) -> None:
            r.trust_landlord, r.trust_services, r.trust_neighbours, r.voice_felt, r.respect_felt = updates[r.index]

        self.residents.shuffle_do(experience)
        self.residents.shuffle_do(update)
        self.residents.shuffle_do(write)

    def learning(self) -> None:
        """What those who had a say expect and their efficacy move towards the influence they saw; fatigue builds and fades."""
        model, p = self.model, self.model.params.participation
        co_hours = model.params.services.co_delivery_hours
        co_delivers = model.month.co_delivers

        def learn(r: Resident) -> None:
            seen = float(model.state.influence_seen[r.index])
            if r.participated or model.state.reversed[r.index]:
                r.voice_expectation = r.voice_expectation + p.expectation_learning * (seen - r.voice_expectation)
                r.efficacy = r.efficacy + p.efficacy_learning * (seen - r.efficacy)
            hours = p.hours * r.participated + co_hours * bool(co_delivers[r.index])
            strain = min(1.0, hours / (p.free_hours * max(r.time_available, 0.05)))
            r.fatigue = r.fatigue + p.fatigue_gain * strain * (1 - r.fatigue) - p.fatigue_recovery * r.fatigue

        self.residents.shuffle_do(learn)

    def stigma(self) -> None:
        """Internalised stigma moves towards external signals, buffered by ties, the block and power."""
        model, p = self.model, self.model.params.stigma
        scale = model.params.social_capital.bonding_scale
        block_efficacy: dict[int, list[float]] = defaultdict(list)
        self.residents.do(lambda r: block_efficacy[r.block].append(r.efficacy))
        collective = {block: sum(values) / len(values) for block, values in block_efficacy.items()}
        employer = p.employer_stigma
        external = model.external_stigma
        new: dict[int, float] = {}

        def pull(r: Resident) -> None:
            bonding = 1 - math.exp(-sum(wb for _, wb, _ in self.neighbours(r)) / scale)
            seeking = 1.0 if (r.working_age and not r.employed) else 0.0
            power = float(model.state.influence_seen[r.index])
            weights = p.media_weight + p.treatment_weight + p.discrimination_weight
            signal = (p.media_weight * external + p.treatment_weight * (1 - model.month.respect[r.index]) + p.discrimination_weight * seeking * employer * external) / max(weights, 1e-12)
            buffer = _clip(p.bonding_buffer * bonding + p.collective_buffer * collective[r.block] + p.power_buffer * power)
            new[r.index] = r.stigma + p.adjust_rate * (signal * (1 - buffer) - r.stigma)

        self.residents.shuffle_do(pull)
        self.residents.do(lambda r: setattr(r, "stigma", new[r.index]))

    def wellbeing(self) -> None:
        """Wellbeing moves towards need met, ties, work, freedom from stigma and trust in neighbours, less fatigue."""
        model, p = self.model, self.model.params.wellbeing
        scale = model.params.social_capital.bonding_scale
        new: dict[int, float] = {}

        def move(r: Resident) -> None:
            bonding = 1 - math.exp(-sum(wb for _, wb, _ in self.neighbours(r)) / scale)
            in_work = float(r.employed) if r.working_age else 1.0
            weights = p.need_weight + p.bonding_weight + p.work_weight + p.stigma_weight + p.neighbour_weight
            good = (p.need_weight * r.need_fit + p.bonding_weight * bonding + p.work_weight * in_work + p.stigma_weight * (1 - r.stigma) + p.neighbour_weight * r.trust_neighbours) / max(weights, 1e-12)
            target = _clip(good - p.burden_weight * r.fatigue)
            new[r.index] = r.wellbeing + p.rate * (target - r.wellbeing)

        self.residents.shuffle_do(move)
        self.residents.do(lambda r: setattr(r, "wellbeing", new[r.index]))

    def job_finding_chances(self) -> np.ndarray:
        """Each resident's chance of finding work this month (weak and strong ties to people in work)."""
        model, p = self.model, self.model.params.mobility
        support = model.month.employment_support
        postcode = model.params.stigma.employer_stigma * model.external_stigma
        employed = {r.index: float(r.employed) for r in self.residents}
        chances = np.empty(len(self.residents))

        def chance(r: Resident) -> None:
            contacts = self.neighbours(r)
            weak = sum(wr * employed[j] for j, _, wr in contacts)
            strong = sum(wb * employed[j] for j, wb, _ in contacts)
            settled = 1 - math.exp(-r.tenure_months / (12 * p.settle_years))
            stability = settled * _clip(1 - p.repairs_insecurity * float(model.state.unmet_repairs[r.index]))
            value = (
                p.job_finding
                * (1 + p.weak_tie_weight * weak + p.strong_tie_weight * strong)
                * (1 + p.support_weight * float(support[r.index]))
                * (0.5 + r.aspiration)
                * (1 - p.stigma_weight * r.stigma)
                * (1 - postcode)
                * (0.5 + 0.5 * stability)
            )
            chances[r.index] = _clip(value)

        self.residents.shuffle_do(chance)
        return chances

    def month_core(self) -> None:
        """The core rules in the order of ``sim.model.PHASES``: treatment, trust, learning, stigma, wellbeing."""
        self.treatment()
        self.trust()
        self.learning()
        self.stigma()
        self.wellbeing()
