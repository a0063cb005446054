"""The Mesa agents: a Resident is a view on its row of model.state; the landlord and services are agents."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from sim import HousingModel
from sim.agents import Landlord, Resident, Service
from sim.policies import make_policy
from sim.state import DOMAINS, NO_DOMAIN


@pytest.fixture
def model() -> HousingModel:
    return HousingModel(residents=50, rng=1, status_quo__months=0)


def test_one_resident_agent_per_dwelling(model):
    assert len(model.residents) == model.state.n == 50
    assert sorted(r.index for r in model.residents) == list(range(50))
    assert all(isinstance(r, Resident) and isinstance(r, mesa.Agent) for r in model.residents)
    for i in (0, 17, 49):
        assert model.resident(i).index == i


@pytest.mark.parametrize("name", ["trust_landlord", "stigma", "efficacy", "wellbeing", "tenure_months", "advantage"])
def test_reading_an_attribute_reads_the_state_row(model, name):
    resident = model.resident(7)
    value = getattr(resident, name)
    assert value == getattr(model.state, name)[7]
    assert type(value) is float


def test_writing_an_attribute_writes_only_that_row(model):
    before = model.state.trust_landlord.copy()
    resident = model.resident(7)
    resident.trust_landlord = 0.123
    assert model.state.trust_landlord[7] == 0.123
    others = np.arange(50) != 7
    np.testing.assert_array_equal(model.state.trust_landlord[others], before[others])
    # And the state changing is seen by the agent: one copy of every value.
    model.state.trust_landlord[7] = 0.9
    assert resident.trust_landlord == 0.9


def test_the_new_fields_read_and_write_their_rows(model):
    resident = model.resident(9)
    resident.fatigue = 0.4
    resident.raised = 2
    resident.delivered = True
    resident.carer = True
    assert model.state.fatigue[9] == 0.4 and model.state.raised[9] == 2
    assert model.state.delivered[9] and model.state.carer[9]
    assert type(resident.raised) is int and resident.delivered is True
    # Nobody has raised anything before the first month.
    assert model.resident(8).raised == NO_DOMAIN and model.resident(8).delivered is False


def test_boolean_and_integer_fields_round_trip(model):
    resident = model.resident(3)
    resident.employed = True
    resident.income_band = 4
    resident.participated = True
    assert model.state.employed[3] and model.state.participated[3]
    assert model.state.income_band[3] == 4
    assert resident.employed is True and resident.participated is True
    assert resident.income_band == 4 and type(resident.income_band) is int
    resident.employed = False
    assert resident.employed is False and not model.state.employed[3]


def test_need_is_the_row_of_the_need_array(model):
    resident = model.resident(5)
    np.testing.assert_array_equal(resident.need, model.state.need[5])
    resident.need = [0.1, 0.2, 0.3, 0.4]
    np.testing.assert_allclose(model.state.need[5], [0.1, 0.2, 0.3, 0.4])
    assert resident.needs() == pytest.approx(dict(zip(DOMAINS, [0.1, 0.2, 0.3, 0.4], strict=True)))
    assert all(type(v) is float for v in resident.needs().values())


def test_block_and_estate_follow_the_layout(model):
    # Default layout: blocks of 40, so dwelling 45 is in block 1, estate 0.
    assert model.resident(45).block == 1
    assert model.resident(45).estate == 0
    assert type(model.resident(45).block) is int


def test_describe_returns_plain_python_values_matching_state(model):
    resident = model.resident(11)
    description = resident.describe()
    assert {"block", "employed", "trust_landlord", "stigma", "wellbeing", "participated"} <= set(description)
    for name, value in description.items():
        assert type(value) in (int, float, bool), (name, type(value))
        assert value == getattr(model.state, name)[11]


def test_landlord_is_a_mesa_agent_with_the_scenario_values(model):
    landlord = model.landlord
    assert isinstance(landlord, Landlord) and isinstance(landlord, mesa.Agent)
    assert landlord in model.agents
    lp = model.params.landlord
    assert landlord.budget == lp.budget
    assert landlord.respect == landlord.respect_baseline == lp.respect
    assert landlord.belief.shape == (len(DOMAINS),)
    assert landlord.belief.sum() == pytest.approx(1.0)
    # What the organisation knows without residents, their agenda and what is provided all start at the belief.
    for start in (landlord.baseline_belief, landlord.agenda, landlord.provision):
        np.testing.assert_array_equal(start, landlord.belief)
    assert landlord.pressure == 0.0
    # Committed in contracts and posts: all but voice.flexible_share of the budget, 0.9 * 110 = 99.
    assert landlord.committed == pytest.approx((1.0 - model.params.voice.flexible_share) * lp.budget)
    assert landlord.committed == pytest.approx(99.0)
    # The default policy is paternalistic: nothing promised.
    assert landlord.policy.name == "paternalistic"
    assert landlord.promise() == 0.0


def test_landlord_promise_follows_its_policy():
    model = HousingModel(residents=50, rng=1, policy="co_design", status_quo__months=0)
    # power_share 0.3 + (1 - 0.3) * acts_on_input 0.7 = 0.79 (humility does not enter what is promised).
    assert model.landlord.promise() == pytest.approx(0.79)


def test_flexible_budget_is_what_contracts_and_participation_leave(model):
    landlord = model.landlord
    landlord.budget, landlord.committed = 110.0, 99.0
    # 110 - 5 diverted to participation - 99 committed = 6 GBP per household.
    assert landlord.flexible_budget(5.0) == pytest.approx(6.0)
    assert landlord.flexible_budget(0.0) == pytest.approx(11.0)
    # More diverted than is flexible: nothing left, never a negative budget.
    assert landlord.flexible_budget(20.0) == 0.0
    # A cut below what is committed leaves nothing flexible.
    landlord.budget = 77.0
    assert landlord.flexible_budget(0.0) == 0.0


def test_intended_allocation_follows_the_agenda_on_residents_share_of_power():
    model = HousingModel(residents=50, rng=1, policy="co_design", status_quo__months=0)
    landlord = model.landlord
    landlord.belief = np.array([0.55, 0.1, 0.1, 0.25])
    landlord.agenda = np.array([0.25, 0.25, 0.25, 0.25])
    # power_share 0.3: 0.7 * belief + 0.3 * agenda = (0.46, 0.145, 0.145, 0.25).
    np.testing.assert_allclose(landlord.intended_allocation(), [0.46, 0.145, 0.145, 0.25])
    landlord.policy = make_policy("paternalistic")
    np.testing.assert_allclose(landlord.intended_allocation(), landlord.belief)


def test_four_services_one_per_domain(model):
    assert len(model.services) == len(DOMAINS) == 4
    for d, service in enumerate(model.services):
        assert isinstance(service, Service) and isinstance(service, mesa.Agent)
        assert service in model.agents
        assert service.domain == d
        assert service.name == DOMAINS[d]
        assert service.accessibility == model.params.services.accessibility
        assert service.design_fit == model.params.services.design_fit


def test_every_agent_is_registered_with_the_model(model):
    # 50 residents + 1 landlord + 4 services.
    assert len(model.agents) == 55
    assert len(model.agents_by_type[Resident]) == 50
    assert len(model.agents_by_type[Landlord]) == 1
    assert len(model.agents_by_type[Service]) == 4
