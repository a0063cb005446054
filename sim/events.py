"""Scheduled events: a funding cut, a safety scandal, a hub opening, a policy switch, a change in external stigma.

A scenario lists events under ``[[events]]``, each with the ``step`` (month)
it happens at, its ``type`` and that type's keys. Events change the world the
mechanisms act on (a budget, a level of need, a service, the policy, the
pressure the organisation is under), never an outcome. They run first in the
month they are due, before the month's background shocks
(sim/mechanisms/shocks.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.errors import UserError
from sim.parameters import Param, Section, shown, suggest
from sim.state import COMMUNITY, REPAIRS

if TYPE_CHECKING:
    from sim.model import HousingModel


def _add_pressure(model: HousingModel, amount: float) -> None:
    landlord = model.landlord
    landlord.pressure += min(1.0, amount) * (1.0 - landlord.pressure)


def _funding_cut(model: HousingModel, share: float) -> None:
    # A cut strains the organisation as well as the services (it fades:
    # landlord.pressure_recovery): institutional support for working with
    # residents weakens and commitments are unpicked.
    model.landlord.budget *= 1.0 - share
    _add_pressure(model, share)


def _safety_scandal(model: HousingModel, severity: float) -> None:
    # A scandal reveals hazards (new repairs need for every household, in
    # need units), puts social housing in the news (external stigma closes
    # that share of the gap to its maximum) and puts the organisation under
    # pressure (blame).
    model.state.need[:, REPAIRS] += severity
    model.external_stigma += severity * (1.0 - model.external_stigma)
    _add_pressure(model, severity)


def _hub_opening(model: HousingModel, capacity: float, cost: float) -> None:
    hub = model.services[COMMUNITY]
    hub.fixed_capacity = capacity
    hub.running_cost = cost


def _hub_closure(model: HousingModel) -> None:
    _hub_opening(model, 0.0, 0.0)


def _external_stigma(model: HousingModel, level: float) -> None:
    model.external_stigma = level


def _switch_policy(model: HousingModel, policy: Any) -> None:
    model.landlord.policy = policy


@dataclass(frozen=True)
class EventType:
    """A kind of event: its keys (besides ``step`` and ``type``) and what it does."""

    name: str
    doc: str
    section: Section
    apply: Callable[..., None]


EVENT_TYPES: dict[str, EventType] = {
    e.name: e
    for e in (
        EventType("funding_cut", "The service budget falls by a share; the organisation comes under pressure.", Section("funding_cut", "", (
            Param("share", 0.3, "share [0, 1]", "scenario choice", "Share of the budget cut.", 0.0, 1.0),)), _funding_cut),
        EventType("safety_scandal", "Hazards revealed: new repairs need for all; external stigma rises; the organisation comes under pressure.", Section("safety_scandal", "", (
            Param("severity", 0.5, "share [0, 1]", "scenario choice", "Size of the scandal: repairs need added to every household (need units) and the share of the room left that external stigma rises by.", 0.0, 1.0),)), _safety_scandal),
        EventType("hub_opening", "A community hub opens (social infrastructure).", Section("hub_opening", "", (
            Param("capacity", 0.05, "need units per household per month", "assumption", "Community-domain capacity the hub adds.", 0.0, 10.0),
            Param("cost", 5.0, "GBP per household per month", "assumption", "Running cost of the hub.", 0.0, 10000.0),)), _hub_opening),
        EventType("hub_closure", "The community hub closes.", Section("hub_closure", "", ()), _hub_closure),
        EventType("external_stigma", "The stigma of social housing in media and society changes.", Section("external_stigma", "", (
            Param("level", 0.5, "index [0, 1]", "scenario choice", "New level of external stigma.", 0.0, 1.0),)), _external_stigma),
        EventType("switch_policy", "The landlord switches to another participation policy (keys: policy, then any of its levers).", Section("switch_policy", "", ()), _switch_policy),
    )
}


@dataclass(frozen=True)
class Event:
    """One scheduled event, checked: fires at the start of month ``step``."""

    step: int
    type: str
    values: dict[str, Any]

    def fire(self, model: HousingModel) -> None:
        """Apply the event to the model."""
        values = dict(self.values)
        if self.type == "switch_policy":
            from sim.policies import make_policy

            values = {"policy": make_policy(values.pop("policy"), values)}
        EVENT_TYPES[self.type].apply(model, **values)


def check_event(raw: Any, where: str) -> Event:
    """An :class:`Event` from a scenario's table, or a UserError naming the bad key."""
    from sim.policies import policy_class

    if not isinstance(raw, dict):
        raise UserError(f"{where}: an event must be a table with step and type (accepted: [[events]] tables)")
    values = dict(raw)
    step = values.pop("step", None)
    if isinstance(step, bool) or not isinstance(step, int) or step < 1:
        raise UserError(f"{where}.step: {shown(step)} is not accepted (accepted: a whole number >= 1, the month the event happens)")
    kind = values.pop("type", None)
    if not isinstance(kind, str) or kind not in EVENT_TYPES:
        names = sorted(EVENT_TYPES)
        hint = suggest(kind, names) if isinstance(kind, str) else ""
        raise UserError(f"{where}.type: {shown(kind)} is not an event type{hint} (accepted: {', '.join(names)})")
    if kind == "switch_policy":
        name = values.pop("policy", None)
        cls = policy_class(name, f"{where}.policy")
        levers = cls.section().resolve(values, where)
        return Event(step, kind, {"policy": name, **{k: levers[k] for k in values}})
    checked = EVENT_TYPES[kind].section.resolve(values, where)
    return Event(step, kind, checked)


def fire_now(model: HousingModel, type: str, **values: Any) -> Event:
    """Check an event and fire it now, between months, as if scheduled for the next month.

    For interactive use (the browser's event buttons): the event is checked
    as a scenario's ``[[events]]`` table would be (``values`` are that type's
    keys; missing ones take their defaults), then applied at once, which is
    what a scheduled event with ``step = model.steps + 1`` does at the start
    of that month. It is not added to the scenario. Returns the checked event
    (its ``step`` is the month it takes effect in), or raises UserError.
    """
    event = check_event({"step": model.steps + 1, "type": type, **values}, f"event {type!r}")
    event.fire(model)
    return event


def fire_due_events(model: HousingModel) -> None:
    """Phase: fire the events scheduled for this month, in the order the scenario lists them."""
    for event in model.config.events:
        if event.step == model.steps:
            event.fire(model)
