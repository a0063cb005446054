"""Per-household rules of the trust, stigma, wellbeing and work phases, each one pass over the households.

Each kernel is the numpy formula of its mechanism module
(sim/mechanisms/trust.py, stigma.py, wellbeing.py, mobility.py) written
for one household, operation for operation and in the same order, so the
numbers are bitwise the same (``tests/test_kernels.py``). Scalars the numpy
code computed in Python (a sum of weights, ``1 - weight``) are computed in
Python here too and passed in. ``exp`` stays in numpy (see sim/kernels).
"""

from __future__ import annotations

from numba import njit


@njit(cache=True, inline="always")
def _clip(x):
    return min(max(x, 0.0), 1.0)


@njit(cache=True, inline="always")
def _asymmetric(trust, experience, gain_rate, loss_rate):
    """``trust.asymmetric_step`` for one household (``loss_rate`` is ``min(1, gain_rate * loss_ratio)``)."""
    gap = experience - trust
    rate = gain_rate if gap >= 0 else loss_rate
    return _clip(trust + rate * gap)


@njit(cache=True)
def own_experiences(judged, need_fit, respect, had_say, influence_seen, voice_expectation, service_weight, respect_weight, weights, voice_weight, out):
    """``trust.landlord_experience`` of the need met the landlord is judged on (``judged``) into ``out[0]``, need-fit into
    ``out[1]``, the experience of being listened to (judged need met for those without a say) into ``out[2]``."""
    for i in range(len(need_fit)):
        base = (service_weight * judged[i] + respect_weight * respect[i]) / weights
        voice = voice_weight * (influence_seen[i] - voice_expectation[i]) if had_say[i] else 0.0
        out[0, i] = _clip(base + voice)
        out[1, i] = need_fit[i]
        out[2, i] = influence_seen[i] if had_say[i] else judged[i]


@njit(cache=True)
def trust(own, bonding, bridging, bonding_strength, bridging_strength, embedded, respect, own_weight, word_of_mouth, gain_rate, loss_rate, perception_rate,
          trust_landlord, trust_services, trust_neighbours, voice_felt, respect_felt):
    """Word of mouth (``neighbour_means``, ``with_word_of_mouth``), then the trust steps and perceptions of ``trust.update``.

    ``own`` is ``(3, n)`` as :func:`own_experiences` wrote it; ``bonding`` and
    ``bridging`` its tie-weighted sums over each kind of tie.
    """
    for i in range(own.shape[1]):
        weight = bonding_strength[i] + bridging_strength[i]
        landlord = _told(own, bonding, bridging, 0, i, weight, own_weight, word_of_mouth)
        services = _told(own, bonding, bridging, 1, i, weight, own_weight, word_of_mouth)
        listened = _told(own, bonding, bridging, 2, i, weight, own_weight, word_of_mouth)
        trust_landlord[i] = _asymmetric(trust_landlord[i], landlord, gain_rate, loss_rate)
        trust_services[i] = _asymmetric(trust_services[i], services, gain_rate, loss_rate)
        trust_neighbours[i] = _asymmetric(trust_neighbours[i], embedded[i], gain_rate, loss_rate)
        voice_felt[i] += perception_rate * (listened - voice_felt[i])
        respect_felt[i] += perception_rate * (respect[i] - respect_felt[i])


@njit(cache=True, inline="always")
def _told(own, bonding, bridging, q, i, weight, own_weight, word_of_mouth):
    """Own experience ``q`` blended with the tie-weighted mean of neighbours' (own again if no ties): ``neighbour_means``, ``with_word_of_mouth``."""
    heard = (bonding[q, i] + bridging[q, i]) / max(weight, 1e-12) if weight > 0 else own[q, i]
    return own_weight * own[q, i] + word_of_mouth * heard


@njit(cache=True)
def stigma(stigma, respect, seeking, bonding, collective, power, external, media_weight, treatment_weight, discrimination_weight, employer_stigma, weights,
           bonding_buffer, collective_buffer, power_buffer, adjust_rate):
    """``stigma.target`` and the step towards it, in place."""
    media = media_weight * external
    for i in range(len(stigma)):
        pull = (media + treatment_weight * (1.0 - respect[i]) + discrimination_weight * (1.0 if seeking[i] else 0.0) * employer_stigma * external) / weights
        buffer = bonding_buffer * bonding[i] + collective_buffer * collective[i] + power_buffer * power[i]
        target = pull * (1.0 - _clip(buffer))
        stigma[i] += adjust_rate * (target - stigma[i])


@njit(cache=True)
def wellbeing(wellbeing, need_fit, bonding, employed, working_age, stigma, trust_neighbours, fatigue, need_weight, bonding_weight, work_weight, stigma_weight,
              neighbour_weight, weights, burden_weight, rate):
    """``wellbeing.target`` and the step towards it, in place (residents not of working age count as in work)."""
    for i in range(len(wellbeing)):
        in_work = 1.0 if employed[i] or not working_age[i] else 0.0
        good = (need_weight * need_fit[i] + bonding_weight * bonding[i] + work_weight * in_work + stigma_weight * (1.0 - stigma[i])
                + neighbour_weight * trust_neighbours[i]) / weights
        goal = _clip(good - burden_weight * fatigue[i])
        wellbeing[i] += rate * (goal - wellbeing[i])


@njit(cache=True)
def work(weak, strong, support, aspiration, stigma, settled, unmet_repairs, u_find, u_lose, u_up, job_finding, weak_tie_weight, strong_tie_weight,
         support_weight, stigma_weight, postcode, repairs_insecurity, job_loss, progression, job_efficacy, top_band, never,
         working_age, employed, income_band, efficacy, months_since_moved_up, tenure_months):
    """``mobility.work`` for every household: the chance of finding work (``job_finding_chance``, ``stability``), jobs found and lost, bands gained."""
    for i in range(len(employed)):
        stable = settled[i] * _clip(1.0 - repairs_insecurity * unmet_repairs[i])
        chance = _clip(
            job_finding
            * (1.0 + weak_tie_weight * weak[i] + strong_tie_weight * strong[i])
            * (1.0 + support_weight * support[i])
            * (0.5 + aspiration[i])
            * (1.0 - stigma_weight * stigma[i])
            * postcode
            * (0.5 + 0.5 * stable)
        )
        was_employed = employed[i]
        finds = working_age[i] and not was_employed and u_find[i] < chance
        loses = was_employed and u_lose[i] < job_loss
        moves_up = was_employed and not loses and u_up[i] < progression * (1.0 + weak_tie_weight * weak[i]) * (1.0 - stigma_weight * stigma[i])
        months_since_moved_up[i] = min(months_since_moved_up[i] + 1, never)
        if finds:
            employed[i] = True
            income_band[i] = max(income_band[i], 2)
            efficacy[i] += job_efficacy * (1.0 - efficacy[i])
            months_since_moved_up[i] = 0
        elif loses:
            employed[i] = False
            income_band[i] = min(income_band[i], 1)
        elif moves_up:
            income_band[i] = min(income_band[i] + 1, top_band)
            months_since_moved_up[i] = 0
        tenure_months[i] += 1.0
