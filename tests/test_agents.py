"""The Mesa agents: a Resident is a view on its row of model.state; the landlord and services are agents."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from sim import HousingModel
from sim.agents import Landlord, Resident, Service
from sim.state import DOMAINS


@pytest.fixture
def model() -> HousingModel:
    return HousingModel(residents=50, rng=1)


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
    # The default policy is paternalistic: no influence.
    assert landlord.policy.name == "paternalistic"
    assert landlord.influence() == 0.0


def test_landlord_influence_follows_its_policy():
    model = HousingModel(residents=50, rng=1, policy="co_design")
    # 0.3 + 0.7 * 0.7 * humility 0.8 = 0.692.
    assert model.landlord.influence() == pytest.approx(0.692)


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
