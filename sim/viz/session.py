"""What one browser session runs: the settings, one model (or two side by side), the layout, the event log.

This module is plain Python (no Solara), so everything the app does can be
tested without a browser. The app calls :class:`Session` methods from its
buttons; :class:`Session` drives :class:`~sim.model.HousingModel` only
through its public API (the constructor, ``step``, ``timeseries``,
``graph``, ``state``, ``resident``) and fires events with
:func:`sim.events.fire_now`.

Side by side, the two models are built from the same scenario, community
size and seed, differing only in the policy, so they face the same
residents, network and luck (common random numbers: the difference between
them is the policy's effect); they always step together and receive the
same events. Policy A runs with the scenario's levers, policy B as designed
(its own defaults; see :func:`policy_levers`).
"""

from __future__ import annotations

import math
import threading
import tomllib
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from sim.errors import UserError
from sim.events import EVENT_TYPES, fire_now
from sim.model import INSTITUTIONS, HousingModel
from sim.parameters import shown
from sim.policies import POLICIES
from sim.scenario import MAX_SEED
from sim.state import COMMUNITY
from sim.viz import census
from sim.viz.layout import Layout, community_layout
from sim.viz.plots import Marker
from sim.viz.presets import Preset

INTENSITY_LEVERS: tuple[str, ...] = ("reach", "capacity", "outreach")
"""The policy levers the intensity control scales: how many households the policy reaches each month.

What a policy shares with residents (``acts_on_input``, ``power_share``,
``co_delivery``, ``staff_contact``) is its rung on the ladder and is not scaled.
"""

INTENSITY_RANGE = (0.0, 2.0)
"""Intensity, as a multiple of the scenario's own lever values."""

RESIDENTS_RANGE = (50, 2000)
"""Community sizes the app offers (households); larger ones draw slowly in a browser."""

EVENT_BUTTONS: dict[str, str] = {
    "funding_cut": "Funding cut",
    "safety_scandal": "Safety scandal",
    "hub_opening": "Hub opens",
    "hub_closure": "Hub closes",
}
"""Events the app can fire at the current step, with their button labels."""


@dataclass(frozen=True)
class Settings:
    """What the controls say: a preset, a policy and its intensity, a community size, a seed, and an optional second policy."""

    preset: str
    policy: str
    intensity: float = 1.0
    residents: int = 500
    seed: int = 1
    compare: str | None = None
    compare_intensity: float | None = None
    """Policy B's intensity, set on its own (None: the same as A's, so that one slider moves both)."""

    @property
    def intensity_b(self) -> float:
        """The intensity policy B runs at."""
        return self.intensity if self.compare_intensity is None else self.compare_intensity

    def check(self, presets: dict[str, Preset]) -> Settings:
        """These settings, or a UserError naming the bad value and what is accepted."""
        if self.preset not in presets:
            raise UserError(f"preset: {shown(self.preset)} is not a scenario in scenarios/ (accepted: {', '.join(presets)})")
        for role, name in (("policy", self.policy), ("second policy", self.compare)):
            if name is not None and name not in POLICIES:
                raise UserError(f"{role}: {shown(name)} is not a policy (accepted: {', '.join(sorted(POLICIES))})")
        low, high = INTENSITY_RANGE
        if not low <= self.intensity <= high:
            raise UserError(f"intensity: {self.intensity} is not accepted (accepted: {low:g} to {high:g} times the scenario's reach)")
        if self.compare_intensity is not None and not low <= self.compare_intensity <= high:
            raise UserError(f"intensity of policy B: {self.compare_intensity} is not accepted (accepted: {low:g} to {high:g} times the policy's own reach)")
        low, high = RESIDENTS_RANGE
        if isinstance(self.residents, bool) or not isinstance(self.residents, int) or not low <= self.residents <= high:
            raise UserError(f"community size: {shown(self.residents)} is not accepted (accepted: a whole number of households from {low} to {high})")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed <= MAX_SEED:
            raise UserError(f"seed: {shown(self.seed)} is not accepted (accepted: a whole number from 0 to {MAX_SEED})")
        return self

    def with_preset(self, preset: Preset) -> Settings:
        """These settings switched to ``preset``: its policy at full intensity, and its seed if it has one.

        The community size is a choice about the view (how many households
        to draw), so it stays as it is; so does a second policy.
        """
        seed = preset.scenario.seed if preset.scenario.seed is not None else self.seed
        return replace(self, preset=preset.key, policy=preset.policy, intensity=1.0, seed=seed)


def parse_number(name: str, text: str, whole: bool, accepted: str) -> int | float:
    """A number written in a page address (``residents=1e3``), read as a scenario file reads it (TOML: 1000, 1e3, 1_000),
    or a UserError naming ``name`` and what is ``accepted``. A whole number may be written as a float with nothing after the point."""
    try:
        value = tomllib.loads(f"v = {text.strip()}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        value = None
    number = not isinstance(value, bool) and isinstance(value, int | float) and (isinstance(value, int) or math.isfinite(value))
    if not number or (whole and isinstance(value, float) and not value.is_integer()):
        raise UserError(f"{name}: {shown(text)} is not {'a whole number' if whole else 'a number'} (accepted: {accepted})")
    if whole:
        return int(value)
    try:
        return float(value)
    except OverflowError:  # an integer too large for a float
        raise UserError(f"{name}: {shown(text)} is not accepted (accepted: {accepted})") from None


def parse_seed(text: str) -> int:
    """The seed typed in a text box as an integer, or a UserError saying what is accepted."""
    cleaned = text.strip().replace("_", "").replace(",", "")
    if not cleaned or not (cleaned.isdigit() and cleaned.isascii()):
        raise UserError(f"seed: {shown(text.strip())} is not a whole number (accepted: a whole number from 0 to {MAX_SEED}, e.g. 1)")
    seed = int(cleaned) if len(cleaned) <= 20 else MAX_SEED + 1  # Python refuses to read integers of more than 4300 digits
    if seed > MAX_SEED:
        raise UserError(f"seed: {shown(cleaned)} is too large (accepted: a whole number from 0 to {MAX_SEED})")
    return seed


def policy_levers(preset: Preset, policy: str, intensity: float, *, as_designed: bool = False) -> dict[str, float]:
    """Every lever of ``policy`` as the app runs it, with the reach levers times ``intensity`` (capped at 1).

    By default the levers are those of ``preset``'s scenario (a lever the
    file sets, such as ``outreach = 0``, is kept when the policy changes, as
    in :meth:`~sim.scenario.Scenario.with_overrides`). ``as_designed`` takes
    the policy's own defaults instead: the second policy of a side-by-side
    view is the policy as designed, so that, for example, "co-production
    without outreach" can be set beside co-production itself.
    """
    if as_designed:
        levers = dict(POLICIES[policy].section().defaults())
    else:
        levers = dict(preset.scenario.with_overrides({"policy": policy}, where="policy").levers)
    for name in INTENSITY_LEVERS:
        levers[name] = min(1.0, float(levers[name]) * intensity)
    return levers


def scaled_levers(preset: Preset, policy: str, intensity: float, *, as_designed: bool = False) -> dict[str, float]:
    """Only the reach levers of :func:`policy_levers`."""
    levers = policy_levers(preset, policy, intensity, as_designed=as_designed)
    return {name: levers[name] for name in INTENSITY_LEVERS}


def build_model(preset: Preset, settings: Settings, policy: str, *, as_designed: bool = False) -> HousingModel:
    """A model of ``preset`` (its community, landlord, services and events) with the settings' size and seed, running ``policy``
    at the settings' intensity (policy B's own intensity when ``as_designed``, which is how policy B is built)."""
    intensity = settings.intensity_b if as_designed else settings.intensity
    levers = policy_levers(preset, policy, intensity, as_designed=as_designed)
    return HousingModel(preset.scenario, rng=settings.seed, residents=settings.residents, policy=policy, **{f"policy.{k}": v for k, v in levers.items()})


@dataclass(frozen=True)
class LoggedEvent:
    """An event fired from the app: the month it takes effect in, its type, its checked values."""

    month: int
    type: str
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """Its button label."""
        return EVENT_BUTTONS.get(self.type, self.type.replace("_", " "))


class Session:
    """The models one browser session runs, and everything done to them.

    Args:
        presets: the scenario presets by key (:func:`~sim.viz.presets.load_presets`).
        settings: what to build first.
    """

    def __init__(self, presets: dict[str, Preset], settings: Settings):
        self.presets = presets
        self.lock = threading.RLock()  # Play steps from a worker thread while buttons act
        self.layouts_computed = 0  # how often a layout was computed (once per network)
        self.generation = 0  # counts resets: pictures built for one generation are rebuilt for the next
        self.reset(settings)
        census.track(self)

    # -- building ---------------------------------------------------------------

    def reset(self, settings: Settings) -> None:
        """Build the model(s) afresh from ``settings`` (checked first): month 0, no events fired."""
        settings = settings.check(self.presets)
        with self.lock:
            preset = self.presets[settings.preset]
            models = [build_model(preset, settings, settings.policy)]
            if settings.compare is not None:
                models.append(build_model(preset, settings, settings.compare, as_designed=True))
            self.settings = settings
            self.models = models
            self.log: list[LoggedEvent] = []
            self.layout = self._layout_for(models[0])
            self.generation += 1

    def _layout_for(self, model: HousingModel) -> Layout:
        self.layouts_computed += 1
        return community_layout(model.state.block, model.state.estate, INSTITUTIONS)

    def set_compare(self, policy: str | None, intensity: float | None = None) -> None:
        """Show a second policy side by side (or none), at ``intensity`` (None: A's), built on the same settings and caught up to the current month.

        The new model replays this session's fired events at the months they
        took effect, so both models have the same history but for the policy.
        """
        with self.lock:
            settings = replace(self.settings, compare=policy, compare_intensity=intensity if policy is not None else None).check(self.presets)
            self.settings = settings
            if policy is None:
                self.models = self.models[:1]
                return
            model = build_model(self.presets[settings.preset], settings, policy, as_designed=True)
            for month in range(1, self.month + 1):
                self._replay(model, month)
                model.step()
            self._replay(model, self.month + 1)  # fired since the last step
            self.models = [self.models[0], model]

    def _replay(self, model: HousingModel, month: int) -> None:
        for event in self.log:
            if event.month == month:
                fire_now(model, event.type, **event.values)

    # -- running ----------------------------------------------------------------

    @property
    def month(self) -> int:
        """Months run so far (the same for both models)."""
        return int(self.models[0].steps)

    @property
    def planned_months(self) -> int:
        """The scenario's length in months (Play stops there)."""
        return int(self.models[0].config.steps)

    @property
    def preset(self) -> Preset:
        """The preset the models were built from."""
        return self.presets[self.settings.preset]

    def step(self, months: int = 1) -> None:
        """Advance every model by ``months`` months, together."""
        with self.lock:
            for _ in range(months):
                for model in self.models:
                    model.step()

    def fire(self, event_type: str, **values: Any) -> LoggedEvent:
        """Fire an event in every model now (it takes effect in the next month) and log it."""
        if event_type not in EVENT_TYPES or event_type == "switch_policy":
            raise UserError(f"event: {event_type!r} cannot be fired from the app (accepted: {', '.join(EVENT_BUTTONS)})")
        with self.lock:
            fired = [fire_now(model, event_type, **values) for model in self.models]
            entry = LoggedEvent(fired[0].step, event_type, dict(fired[0].values))
            self.log.append(entry)
            return entry

    # -- reading ----------------------------------------------------------------

    def frames(self) -> list[pd.DataFrame]:
        """Each model's time series so far (one row per month)."""
        with self.lock:
            return [model.timeseries() for model in self.models]

    def markers(self) -> tuple[Marker, ...]:
        """Events to mark on plots: the scenario's scheduled events (up to now) and those fired here."""
        scheduled = [Marker(e.step, e.type.replace("_", " ")) for e in self.models[0].config.events if e.step <= max(self.month, 1)]
        fired = [Marker(e.month, e.label.lower()) for e in self.log]
        return tuple(sorted(scheduled + fired, key=lambda m: m.month))

    def hub_open(self) -> bool:
        """Whether the community hub is open (in the first model; events keep both alike)."""
        return self.models[0].services[COMMUNITY].fixed_capacity > 0

    def world(self, index: int = 0) -> dict[str, float]:
        """What events change, for model ``index``: budget (GBP per household per month), external stigma, hub."""
        model = self.models[index]
        hub = model.services[COMMUNITY].fixed_capacity > 0
        return {"budget": float(model.landlord.budget), "external_stigma": float(model.external_stigma), "hub_open": float(hub)}
