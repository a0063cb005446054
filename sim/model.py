"""The HousingModel: a Mesa model of residents, a landlord and services on a social network.

The step is a flat list of phases (:data:`PHASES`), run in order once a
month; each phase is one function in the module named for its mechanism.
Month 0 is today: before it, the scenario's status quo runs for its
burn-in months (``[status_quo]``), so that a run starts from the status
quo's steady state and moves only through a change of policy, an event or
luck.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd

from sim import burn_in, community, events, network_io, scenario, size_guard
from sim.agents import Landlord, Resident, Service
from sim.mechanisms import (
    complaints,
    cost,
    decisions,
    information,
    mobility,
    outcomes,
    participation,
    services,
    shocks,
    social_capital,
    stigma,
    survey,
    treatment,
    trust,
    voice,
    wellbeing,
)
from sim.mechanisms.human_choices import HouseholdChoice, LandlordChoice
from sim.network import SocialNetwork, generate, seed_linking
from sim.parameters import as_namespace
from sim.policies import make_policy
from sim.population import draw_households
from sim.state import DOMAINS, ResidentState
from sim.streams import Streams

PHASES: tuple[tuple[str, Any], ...] = (
    ("events", events.fire_due_events),  # scheduled events due this month
    ("shocks", shocks.strike),  # pressure fades; background shocks (contractors, works, incidents, restructures)
    ("needs", services.needs_arise),  # new needs arise
    ("participation", participation.take_part),  # outreach, invitations, who takes part
    ("voice", voice.hear),  # the promise; what is raised, heard, acted on, funded, delivered, reversed
    ("decisions", decisions.decide),  # the room moves belief, agenda and design; budget allocated
    ("delivery", services.deliver),  # services meet need: need-fit
    ("treatment", treatment.receive),  # staff respect under the conditions of contact; respect each resident receives
    ("trust", trust.update),  # experience against expectation; word of mouth
    ("informed", information.update),  # routine communication and personal contact: feeling informed
    ("complaints", complaints.update),  # unmet repairs: complaints made and judged
    ("learning", participation.learn_from_taking_part),  # expectation and efficacy from what was seen; fatigue
    ("stigma", stigma.update),  # internalised stigma: pull and buffers
    ("ties", social_capital.update_ties),  # shared activity and contact form ties; ties decay
    ("mobility", mobility.work),  # jobs found and lost, income bands
    ("wellbeing", wellbeing.update),
    ("cost", cost.account),
    ("survey", survey.interview),  # this month's share of the landlord's sample survey
    ("outcomes", outcomes.measure),  # the month's outcome columns
    ("moves", mobility.move),  # households move out, newcomers move in (seen next month)
)
"""The month, in order: (name, function of the model)."""

INSTITUTIONS: tuple[str, ...] = ("landlord", *(f"service:{d}" for d in DOMAINS))
"""Linking-tie columns: the landlord, then one service per need domain."""


def _outcome(model: HousingModel, name: str) -> float:
    """DataCollector reporter for one outcome (used through ``partial``, which pickles)."""
    return model.outcomes[name]


class HousingModel(mesa.Model):
    """Residents, a landlord and services on a social network, under a participation policy.

    Args:
        scenario: a shipped scenario's name (``"co_production"``), a
            scenario file path (a relative one is looked for from the
            current folder, then in the shipped ``scenarios/`` folder), a
            :class:`sim.scenario.Scenario`, or None for the defaults.
        rng: the run's seed (an int). None takes the scenario's seed, or a
            fresh one (recorded in ``model.seed``).
        residents: number of households (overrides ``community.residents``).
        policy: policy name (overrides ``policy.name``).
        collect: the outcome columns to compute and collect each month
            (default: every column, ``outcomes.ALL_COLUMNS``). A batch
            passes the outcomes it analyses; the values do not depend on it.
        **overrides: any parameter as ``section__key=value`` (or
            ``**{"section.key": value}``), and ``steps``.
    """

    def __init__(self, scenario: str | Path | scenario.Scenario | None = None, *, rng: int | None = None, residents: int | None = None, policy: str | None = None, collect: Iterable[str] | None = None, **overrides: Any):
        config = _resolve_scenario(scenario)
        if residents is not None:
            overrides["residents"] = residents
        if policy is not None:
            overrides["policy"] = policy
        if overrides:
            config = config.with_overrides(overrides, where="HousingModel arguments")
        size_guard.check_scenario(config, "HousingModel arguments" if size_guard.sets_households(overrides) else None)
        seed = _choose_seed(rng, config.seed)
        super().__init__(rng=seed)
        self.config = config
        self.seed = seed
        self.streams = Streams(seed)
        self.params = SimpleNamespace(**{name: as_namespace(values) for name, values in config.params.items()})
        self.month = SimpleNamespace()
        self.outcomes: dict[str, float] = {}
        self.measured = outcomes.ALL_COLUMNS if collect is None else _known_columns(collect)
        """The outcome columns computed each month (``outcomes`` holds this month's values) and collected."""
        self.external_stigma = float(self.params.stigma.external)
        self.human_choices: dict[int, HouseholdChoice] = {}
        """This month's choices of people playing households (sim/mechanisms/human_choices.py); emptied after each month."""
        self.landlord_choice: LandlordChoice | None = None
        """This month's choice of people playing the landlord (sim/mechanisms/human_choices.py); emptied after each month."""

        block, estate, self.network = self._build_network()
        traits = draw_households(self.streams["population"], len(block), self.params.population, newcomers=False)
        self.state = ResidentState.create(traits, block, estate)
        self.blocks, self.estates = community.Groups(block), community.Groups(estate)
        self.residents = Resident.create_agents(self, self.state.n, index=np.arange(self.state.n))
        self._residents_by_index = list(self.residents)  # created in index order; households move, dwellings stay

        lp = self.params.landlord
        belief = decisions.initial_belief(decisions.need_shares(self.state.need_profile), decisions.leaning_prior(lp.prior_belief, lp.prior_repairs_lean), lp.belief_accuracy)
        policy_object = make_policy(config.policy, config.levers, where=f"{config.source}: policy")
        self.landlord = Landlord(self, lp.budget, belief, lp.humility, lp.respect, policy_object)
        self.landlord.committed = (1.0 - self.params.voice.flexible_share) * lp.budget
        self.shocks = shocks.Shocks.none(int(self.state.estate.max()) + 1 if self.state.n else 0)
        self.survey = survey.SurveyYear()
        sp = self.params.services
        self.services = [Service(self, d, sp.accessibility, sp.design_fit) for d in range(len(DOMAINS))]
        if sp.hub_open:
            self.services[DOMAINS.index("community")].fixed_capacity = sp.hub_capacity
            self.services[DOMAINS.index("community")].running_cost = sp.hub_cost

        self.datacollector = mesa.DataCollector(model_reporters={name: partial(_outcome, name=name) for name in self.measured})
        self.running = True
        self.clock = -config.burn_in
        """This month's number counted from month 0 (today): negative during the burn-in, 1 in the first month run."""
        status_quo = make_policy(config.status_quo, config.status_quo_levers, where=f"{config.source}: status_quo")
        world = burn_in.world_key(config, seed)
        kept = burn_in.KEPT.get(world)
        if kept is not None:
            burn_in.put_back(self, kept)
        else:
            self._burn_in(status_quo, config.burn_in)
            burn_in.KEPT.put(world, burn_in.take(self))

    def _build_network(self) -> tuple[np.ndarray, np.ndarray, SocialNetwork]:
        c = self.params.community
        if c.network_file:
            where = f"{self.config.source}: community.network_file"
            graph = network_io.read_graph(Path(c.network_file), where)
            block, estate, u, v, strength = network_io.households_from_graph(graph, c.block_size, c.blocks_per_estate, f"{where}: {c.network_file}")
            network = SocialNetwork.from_pairs(block, u, v, strength, len(INSTITUTIONS))
            seed_linking(self.streams["network"], network, self.params.network.initial_linking)
            return block, estate, network
        block, estate = community.layout(c.residents, c.block_size, c.blocks_per_estate)
        return block, estate, generate(self.streams["network"], block, estate, self.params.network, len(INSTITUTIONS))

    # -- running --------------------------------------------------------------

    def _burn_in(self, status_quo: Any, months: int) -> None:
        """Run the status quo for ``months`` months before month 0 (no events, nothing collected), then restore the scenario's policy."""
        policy, measured = self.landlord.policy, self.measured
        # The last month measures every column, whatever this model collects: the kept burn-in may start a model that collects others.
        self.landlord.policy, self.measured = status_quo, outcomes.ALL_COLUMNS
        for month in range(months):
            # Nothing reads a month's outcome columns but the collector (and the last month's, kept with the burn-in):
            # measuring only the last month gives the same numbers, about a sixth faster.
            self._month(measure=month == months - 1)
        self.landlord.policy, self.measured = policy, measured

    def _month(self, measure: bool = True) -> None:
        self.clock += 1
        self.month = SimpleNamespace()
        for _, phase in PHASES:
            if measure or phase is not outcomes.measure:
                phase(self)
        self.human_choices = {}
        self.landlord_choice = None

    def step(self) -> None:
        """One month: every phase in order, then the outcomes are collected."""
        self._month()
        self.datacollector.collect(self)

    def run(self, steps: int | None = None) -> pd.DataFrame:
        """Run ``steps`` months (default: the scenario's) and return the time series so far."""
        for _ in range(self.config.steps if steps is None else steps):
            self.step()
        return self.timeseries()

    # -- reading --------------------------------------------------------------

    def timeseries(self) -> pd.DataFrame:
        """One row per month run: a ``step`` column, then every outcome column."""
        frame = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        frame.insert(0, "step", np.arange(1, len(frame) + 1))
        return frame

    def social_capital(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each resident's bonding, bridging and linking capital, in [0, 1)."""
        p, net = self.params.social_capital, self.network
        return (
            social_capital.capital(net.bonding_strength(), p.bonding_scale),
            social_capital.capital(net.bridging_strength(), p.bridging_scale),
            social_capital.capital(net.linking_strength(), p.linking_scale),
        )

    def belief_accuracy(self) -> float:
        """How close the landlord's belief is to residents' needs, in [0, 1]."""
        return decisions.belief_accuracy(self.landlord.belief, decisions.need_shares(self.state.need_profile))

    def graph(self) -> nx.Graph:
        """The current network as a networkx graph (residents 0..n-1 plus institution nodes)."""
        return self.network.to_networkx(list(INSTITUTIONS), self.state.estate)

    def resident(self, index: int) -> Resident:
        """The Resident agent living in dwelling ``index``."""
        return self._residents_by_index[index]


def _known_columns(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` in the order runs report them (``outcomes.ALL_COLUMNS``); a ValueError naming any that is not an outcome column."""
    wanted = set(names)
    unknown = sorted(wanted - set(outcomes.ALL_COLUMNS))
    if unknown:
        raise ValueError(f"collect: {', '.join(map(repr, unknown))} is not an outcome column (accepted: {', '.join(outcomes.ALL_COLUMNS)})")
    return tuple(name for name in outcomes.ALL_COLUMNS if name in wanted)


def _resolve_scenario(spec: str | Path | scenario.Scenario | None) -> scenario.Scenario:
    if spec is None:
        return scenario.default()
    if isinstance(spec, scenario.Scenario):
        return spec
    return scenario.load(spec)


def _choose_seed(rng: Any, scenario_seed: int | None) -> int:
    """The run's integer seed: ``rng`` if given, else the scenario's, else a fresh one."""
    if rng is None:
        rng = scenario_seed
    if rng is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer):
        raise TypeError(f"rng must be an integer seed, got {type(rng).__name__}")
    return int(rng)
