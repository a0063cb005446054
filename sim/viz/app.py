"""The browser app: explore one social-housing community, or two policies side by side.

Start it with ``python run.py viz`` (see :mod:`sim.viz.server`). Built on
Solara, the framework under Mesa's SolaraViz. SolaraViz itself is not used:
it runs one model from a flat list of keyword inputs and rebuilds it with
``type(model)(**inputs)`` on Reset, while this app must load scenario presets
that set several controls at once, step two models together, fire events at
the current step and export the view; so the page is assembled here from
plain Solara components, with Mesa's conventions (Reset, Play, Step; inputs
applied on Reset).

Everything the buttons do is a :class:`~sim.viz.session.Session` method;
this module only lays out controls and pictures. Each browser tab has its
own session. The page accepts its starting settings in the address, so a
facilitator can hand out a link::

    http://127.0.0.1:8765/?preset=consultation&compare=co_production&residents=300&seed=4&colour=trust_landlord
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import solara

from sim import outcome_table
from sim.errors import UserError
from sim.parameters import shown
from sim.policies import POLICIES
from sim.viz import explain, legend
from sim.viz.colours import DEFAULT_SCHEME, SCHEMES
from sim.viz.export import policy_name, side_names, slide_png
from sim.viz.figures import CommunityFigure, DifferenceFigure, OutcomesFigure, SurveyFigure, shows_blocks
from sim.viz.plots import LABELS, PANEL_LABELS, TSM_MEDIANS
from sim.viz.presets import load_presets
from sim.viz.prose import to_html
from sim.viz.reform import difference_caption, in_reform_order
from sim.viz.session import EVENT_BUTTONS, INTENSITY_RANGE, RESIDENTS_RANGE, Session, Settings, parse_number, parse_seed, policy_levers

PRESETS = load_presets()
DEFAULT_PRESET = "paternalistic"
DEFAULT_RESIDENTS = 500
PLAY_SPEEDS: dict[str, tuple[str, float]] = {
    "slow": ("Slow: 1 month a second", 1.0),
    "normal": ("Normal: 3 months a second", 0.3),
    "fast": ("Fast: as fast as it draws", 0.0),
}
"""Play's speeds: label and the least seconds between months (drawing may take longer); changeable while playing."""

APP_TITLE = "Social housing: participation, trust and stigma"

SIDEBAR_WIDTH = 288
"""The side panel's width in CSS pixels (Solara's own is 400): narrow enough that at 1024 px wide each picture side by side keeps 340 px."""

CSS = """
.shs-main { max-width: 1500px; font-size: 16px; }
.shs-month { font-size: 1.5rem; font-weight: 600; margin-right: 12px; }
.shs-muted { color: #444; font-size: 15px; }
.shs-figure img, img.shs-figure { width: 100%; height: auto; }
.shs-card-value { font-size: 1.6rem; font-weight: 600; }
.shs-cards { display: flex; flex-wrap: wrap; gap: 8px 24px; }
.shs-card-title { font-weight: 600; margin: 6px 0 2px 0; }
.shs-table { font-size: 16px; }
.shs-table td, .shs-table th { padding: 2px 10px 2px 0; text-align: left; }
.v-btn { text-transform: none !important; letter-spacing: normal !important; font-size: 15px !important; }
.shs-prose p { margin-bottom: 0.5rem; }
.shs-prose h3 { margin: 0.8rem 0 0.3rem 0; }
.shs-prose h4 { margin: 0.8rem 0 0.3rem 0; }
.shs-prose ul { margin-bottom: 0.5rem; }
.v-card__title { word-break: normal; }
img.shs-survey, img.shs-outcomes { max-width: 1050px; }
.shs-caption { font-size: 1.1rem; font-weight: 600; }
.shs-badge { font-size: 14px; color: #333; background: #f0f0f0; border-radius: 4px; padding: 1px 6px; margin-left: 8px; font-weight: 400; }
/* The run bar stays at the top of the page while it scrolls, and stays when the side panel is hidden. */
.shs-runbar { position: sticky; top: -12px; z-index: 5; background: white; border-bottom: 1px solid #ddd; padding: 12px 0 6px 0; margin-top: -6px; }
.shs-busy { font-size: 15px; color: #333; }
.shs-intro { color: #222 !important; padding: 4px 12px; }
.shs-intro strong { font-weight: 700; }
/* Narrower side panel; Vuetify reads the drawer's width when it opens, so the page's padding follows. */
.v-navigation-drawer.solara-content-main { min-width: SIDEBARpx !important; max-width: SIDEBARpx !important; width: SIDEBARpx !important; }
/* Text at least 14 px: Vuetify shrinks a field's label to 75% when it floats above the field, and its hints are 12 px. */
.v-select .v-label, .v-text-field .v-label { font-size: 19px !important; }
.v-messages { font-size: 14px !important; }
.v-input--switch .v-label, .v-input--slider .v-label, .v-input--checkbox .v-label { font-size: 16px !important; }
.v-select__selection, .v-list-item__title { font-size: 16px !important; }
.v-expansion-panel-header { font-size: 16px !important; }
""".replace("SIDEBAR", str(SIDEBAR_WIDTH))


@dataclass(frozen=True)
class Start:
    """What the page starts with: settings, a colour scheme and any problem with the address."""

    settings: Settings
    colour: str = DEFAULT_SCHEME
    problem: str = ""


def start_from_address(search: str | None) -> Start:
    """Starting settings from the page address's query string (``preset``, ``policy``, ``compare``,
    ``intensity``, ``intensity_b`` (policy B's own), ``residents``, ``seed``, ``colour``); the defaults where absent, and a problem
    message (not an exception) where a value is not accepted."""
    query = {k: v[-1] for k, v in parse_qs(search or "").items()}
    key = query.get("preset", DEFAULT_PRESET)
    problems = []
    if key not in PRESETS:
        problems.append(f"preset {shown(key)} is not in scenarios/ (accepted: {', '.join(PRESETS)})")
        key = DEFAULT_PRESET
    settings = Settings(key, PRESETS[key].policy, residents=DEFAULT_RESIDENTS).with_preset(PRESETS[key])
    changes: dict[str, Any] = {}
    try:
        if "policy" in query:
            changes["policy"] = query["policy"]
        if "compare" in query:
            changes["compare"] = query["compare"] or None
        if "intensity" in query:
            low, high = INTENSITY_RANGE
            changes["intensity"] = parse_number("intensity", query["intensity"], False, f"a number from {low:g} to {high:g}")
        if "intensity_b" in query:
            low, high = INTENSITY_RANGE
            changes["compare_intensity"] = parse_number("intensity_b", query["intensity_b"], False, f"a number from {low:g} to {high:g}")
        if "residents" in query:
            low, high = RESIDENTS_RANGE
            changes["residents"] = parse_number("residents", query["residents"], True, f"a whole number of households from {low} to {high}, e.g. 300 or 1e3")
        if "seed" in query:
            changes["seed"] = parse_seed(query["seed"])
        settings = replace(settings, **changes).check(PRESETS)
    except UserError as error:
        problems.append(f"{error} (the address's settings were not used)")
    colour = query.get("colour", DEFAULT_SCHEME)
    if colour not in SCHEMES:
        problems.append(f"colour {shown(colour)} is not accepted (accepted: {', '.join(SCHEMES)})")
        colour = DEFAULT_SCHEME
    return Start(settings, colour, "; ".join(problems))


def data_url(png: bytes) -> str:
    """PNG bytes as a ``data:`` URL for an ``<img>``."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@solara.component
def Prose(text: str, classes: list[str] | None = None, size: str = "16px"):
    """Explanatory text (a little Markdown: see :mod:`sim.viz.prose`)."""
    markup = solara.use_memo(lambda: to_html(text), [text])
    solara.HTML(tag="div", unsafe_innerHTML=markup, classes=["shs-prose", *(classes or [])], style=f"font-size: {size}")


@solara.component_vue(str(Path(__file__).with_name("clickable_image.vue")))
def ClickableImage(src: str, alt: str = "", css_class: str = "", event_click: Callable[[dict], None] | None = None):
    """An image that reports where it was clicked (fractions of its width and height)."""


@solara.component
def Choice(label: str, options: dict[str, str], value: str, on_value: Callable[[str], None], disabled: bool = False, css_class: str = ""):
    """A drop-down list showing ``options``' labels and returning their keys."""
    items = [{"text": text, "value": key} for key, text in options.items()]
    solara.v.Select(label=label, items=items, v_model=value, on_v_model=on_value, disabled=disabled, class_=css_class, hide_details=True, dense=False)


# -- pictures -----------------------------------------------------------------------


@solara.component
def CommunityImage(session: Session, index: int, colour: str, selected: int | None, version: int, on_pick: Callable[[int | None], None]):
    """The community of model ``index``, redrawn when the version, colours or selection change."""
    figure = solara.use_memo(lambda: CommunityFigure(session.layout), [session.generation])

    def render() -> bytes:
        with session.lock:
            return figure.render(session.models[index], SCHEMES[colour], highlight=selected)

    png = solara.use_memo(render, [session.generation, version, colour, selected, index])
    scheme = SCHEMES[colour]
    # From 1,000 households the figure draws blocks (sim.viz.block_view): a click there selects no household.
    what = f"each circle a block of flats coloured by the {scheme.share or 'average ' + scheme.label.lower()}" if figure.blocks else f"each dot a household coloured by {scheme.label.lower()}"
    ClickableImage(
        src=data_url(png),
        alt=f"Community {'AB'[index]} ({side_names(session.settings)[index]}) at month {session.models[index].steps}: "
        f"{what}; lines are ties; the landlord and services above.",
        css_class=f"shs-community shs-community-{'ab'[index]} {'shs-blocks' if figure.blocks else 'shs-households'}",
        event_click=(lambda where: None) if figure.blocks else lambda where: on_pick(figure.pick(float(where["x"]), float(where["y"]))),
    )


@solara.component
def OutcomePictures(session: Session, version: int):
    """Survey shares and key outcomes over time for a single model."""
    outcomes = solara.use_memo(lambda: OutcomesFigure(session.planned_months), [session.generation])
    survey = solara.use_memo(lambda: SurveyFigure(session.planned_months), [session.generation])

    def render() -> tuple[bytes, bytes]:
        with session.lock:
            frame = session.frames()[0]
            markers = session.markers()
        return survey.render(frame, markers), outcomes.render(frame, markers)

    survey_png, outcomes_png = solara.use_memo(render, [session.generation, version])
    SurveyCards(session, version)
    LiveNumbers(session, version)
    Prose(f"{explain.TSM} {explain.calibration_note(session.settings.preset)}", classes=["shs-muted", "shs-calibration-note"], size="15px")
    solara.Image(survey_png, classes=["shs-figure", "shs-survey"])
    Prose("#### Key outcomes over time")
    solara.Image(outcomes_png, classes=["shs-figure", "shs-outcomes"])
    with solara.Details("What the lines mean"):
        Prose("\n".join(f"- **{PANEL_LABELS[c]}**: {LABELS[c].lower()}" for c in GLOSSARY) + "\n\nAll are shares or indices from 0 to 1 except cost. Full definitions: docs/ODD.md.")


@solara.component
def DifferencePicture(session: Session, version: int):
    """Policy B minus policy A over time."""
    figure = solara.use_memo(lambda: DifferenceFigure(session.planned_months), [session.generation, session.settings.compare])

    def render() -> bytes:
        with session.lock:
            s = session.settings
            reform, reference = in_reform_order(session.frames(), s.policy, s.compare)  # what the reform changes, whichever side it is on
            markers = session.markers()
        return figure.render(reform, reference, markers)

    png = solara.use_memo(render, [session.generation, session.settings.compare, version])
    solara.Image(png, classes=["shs-figure", "shs-difference"])


@solara.component
def SurveyCards(session: Session, version: int):
    """The survey shares now, as a landlord would report them.

    One HTML block carrying its own month, so that a reader (or a test) never
    sees one card from this month beside another from the last.
    """
    frames = session.frames()
    cards = []
    for column, median in TSM_MEDIANS.items():
        values = [f"{100 * f[column].iloc[-1]:.0f}%" if len(f) else "–" for f in frames]
        value = values[0] if len(values) == 1 else f"A {values[0]} · B {values[1]}"
        cards.append(f"<div class='shs-card'><div class='shs-muted'>{LABELS[column]}</div><div class='shs-card-value shs-tsm-{column}'>{value}</div>"
                     f"<div class='shs-muted'>English median {median:.0f}%</div></div>")
    title = f"<div class='shs-card-title'>The survey at month {session.month}</div>"
    solara.HTML(tag="div", unsafe_innerHTML=title + f"<div class='shs-cards'>{''.join(cards)}</div>", classes=["shs-survey-cards"])


LIVE_NUMBERS: tuple[str, ...] = (
    "trust_landlord", "trust_neighbours", "stigma", "wellbeing", "need_fit", "need_fit_most_stigmatised", "employment_rate",
    "participation_least_stigmatised", "participation_most_stigmatised", "bridging", "linking", "landlord_respect",
    "requests_funded", "cost",
)
"""The outcomes shown as numbers this month (for A and B side by side): the ones docs/workshop.md reads out."""


def live_value(column: str, value: float) -> str:
    """An outcome's value as the live table shows it: shares in percent, cost in pounds, indices to two decimals."""
    if outcome_table.name(column).unit == "share":
        return f"{100 * value:.1f}%"
    return f"£{value:.0f}" if column == "cost" else f"{value:.2f}"


def live_verdict(column: str, a: float, b: float) -> str:
    """B against A in words and arrows as well as numbers (never colour alone)."""
    share = outcome_table.name(column).unit == "share"
    difference = b - a
    size = f"{100 * abs(difference):.1f} points" if share else (f"£{abs(difference):.0f}" if column == "cost" else f"{abs(difference):.2f}")
    if size in ("0.0 points", "£0", "0.00"):  # too small to show: no direction to read into it
        return "about the same"
    better = outcome_table.better(column) * difference > 0
    return f"{'▲' if difference > 0 else '▼'} {size} {'higher' if difference > 0 else 'lower'}: {'better' if better else 'worse'} for B"


@solara.component
def LiveNumbers(session: Session, version: int):
    """Each headline outcome this month, for A and B side by side with B against A in words, arrows and numbers."""
    frames = session.frames()
    if not all(len(frame) for frame in frames):
        return
    rows = []
    for column in LIVE_NUMBERS:
        if any(column not in frame for frame in frames):
            continue
        values = [float(frame[column].iloc[-1]) for frame in frames]
        cells = "".join(f"<td class='shs-live-{'ab'[i]}'>{live_value(column, v)}</td>" for i, v in enumerate(values))
        if len(values) == 2:
            cells += f"<td>{live_verdict(column, *values)}</td>"
        rows.append(f"<tr class='shs-live-{column}'><td>{outcome_table.label(column)} <span class='shs-muted'>({outcome_table.direction_cue(column)})</span></td>{cells}</tr>")
    month = f"Month {session.month}"  # in the table itself, so that its numbers and its month always arrive together
    header = f"<tr><th>{month}</th><th>A</th><th>B</th><th>B against A</th></tr>" if len(frames) == 2 else f"<tr><th>{month}</th><th></th></tr>"
    solara.HTML(tag="table", unsafe_innerHTML=header + "".join(rows), classes=["shs-table", "shs-live-numbers"])


# -- panels --------------------------------------------------------------------------


@solara.component
def ResidentPanel(session: Session, selected: int | None, version: int, on_select: Callable[[int | None], None]):
    """One household's state (in both models when side by side): click a dot or type a number."""
    text, set_text = solara.use_state("")
    problem, set_problem = solara.use_state("")

    def choose(value: str) -> None:
        set_text(value)
        n = session.models[0].state.n
        try:
            index = int(value.strip())
        except ValueError:
            set_problem(f"{value.strip()!r} is not a household number (accepted: 0 to {n - 1})")
            return
        if not 0 <= index < n:
            set_problem(f"{index} is not a household number (accepted: 0 to {n - 1})")
            return
        set_problem("")
        on_select(index)

    with solara.Card("A household", classes=["shs-resident"]):
        Prose("Click a dot in the picture, or type a household's number.", size="15px")
        solara.InputText("Household number", value=text, on_value=choose, error=problem or False, message=problem or None)
        if selected is None:
            return
        with session.lock:
            described = [model.resident(selected).describe() for model in session.models]
        headers = "".join(f"<th>{'AB'[i]}</th>" for i in range(len(described))) if len(described) > 1 else "<th></th>"
        rows = "".join(f"<tr><td>{label}</td>{''.join(f'<td>{_shown(d[key], key)}</td>' for d in described)}</tr>" for key, label in RESIDENT_FIELDS)
        block, estate = described[0]["block"], described[0]["estate"]
        Prose(f"**Household {selected}**, block {block + 1}, estate {estate + 1}", classes=["shs-resident-title"])
        solara.HTML(tag="table", unsafe_innerHTML=f"<tr><th></th>{headers}</tr>{rows}", classes=["shs-table", "shs-resident-table"])
        solara.Button("Clear", text=True, on_click=lambda: on_select(None))


GLOSSARY = ("equity_gap", "upward_mobility", "participation_least_stigmatised", "participation_most_stigmatised", "need_fit", "cost")
"""Lines whose short legend label needs a sentence."""

RESIDENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("trust_landlord", "Trust in the landlord"),
    ("trust_neighbours", "Trust in neighbours"),
    ("trust_services", "Trust in services"),
    ("stigma", "Stigma felt"),
    ("efficacy", "Confidence it can make a difference"),
    ("wellbeing", "Wellbeing"),
    ("need_fit", "Share of need met this month"),
    ("employed", "In work"),
    ("income_band", "Income band (0 lowest, 4 highest)"),
    ("participated", "Took part this month"),
    ("tenure_months", "Years in this home"),
)
"""What the household panel shows, from ``Resident.describe()``."""


def _shown(value: Any, key: str) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "tenure_months":
        return f"{value / 12:.1f}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


@solara.component
def WorldPanel(session: Session, version: int, on_event: Callable[[str], None]):
    """What events change (budget, hub, stigma in the media), the event buttons, and the log."""
    world = session.world()
    with solara.Card("Landlord, hub and events", classes=["shs-world"]):
        solara.HTML(tag="div", unsafe_innerHTML=f"Service budget: <strong>£{world['budget']:.0f}</strong> per household per month", classes=["shs-budget"])
        solara.HTML(tag="div", unsafe_innerHTML=f"Community hub: <strong>{'open' if world['hub_open'] else 'closed'}</strong>", classes=["shs-hub"])
        solara.HTML(tag="div", unsafe_innerHTML=f"Stigma of social housing in the media: <strong>{world['external_stigma']:.2f}</strong> (0 to 1)", classes=["shs-external-stigma"])
        Prose("**Events** take effect from next month (in both communities when side by side):", size="15px")
        with solara.Row(style={"flex-wrap": "wrap"}):
            for kind, label in EVENT_BUTTONS.items():
                if (kind == "hub_opening" and world["hub_open"]) or (kind == "hub_closure" and not world["hub_open"]):
                    continue
                solara.Button(label, on_click=lambda kind=kind: on_event(kind), outlined=True, color="primary", classes=[f"shs-event-{kind}"])
        with solara.Details("What the events do"):
            Prose("\n".join(f"- **{EVENT_BUTTONS[k]}**: {t}" for k, t in explain.EVENTS.items()), size="15px")
        if session.log or session.models[0].config.events:
            scheduled = [f"month {e.step}: {e.type.replace('_', ' ')} (scenario)" for e in session.models[0].config.events]
            fired = [f"month {e.month}: {e.label.lower()}" for e in session.log]
            Prose("**So far and scheduled:** " + "; ".join(scheduled + fired), classes=["shs-event-log"], size="15px")


@solara.component
def ColourPicker(colour: solara.Reactive[str]):
    """Which outcome colours the residents (the key under the pictures says what the colours mean)."""
    labels = {key: s.label for key, s in SCHEMES.items()}
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text("Colour households by:")
        with solara.ToggleButtonsSingle(value=colour.value, on_value=colour.set, classes=["shs-colour"]):
            for key, label in labels.items():
                solara.Button(label, value=key, text=True)


# -- the page -------------------------------------------------------------------------


PLAY_BREATH = 0.1
"""Seconds Play leaves the page alone after each picture, however late it is, so that a click never waits behind the next month."""

PLAY_CATCH_UP = 4
"""Most months Play runs between two pictures when drawing falls behind its pace (it skips pictures rather than queueing them)."""


@solara.component
def Page():
    router = solara.use_router()
    start = solara.use_memo(lambda: start_from_address(router.search), [])
    session = solara.use_memo(lambda: Session(PRESETS, start.settings), [])
    version = solara.use_reactive(0)
    pending = solara.use_reactive(replace(start.settings, compare=None, compare_intensity=None))
    seed_text = solara.use_reactive(str(start.settings.seed))
    seed_problem = solara.use_reactive("")
    colour = solara.use_reactive(start.colour)
    selected = solara.use_reactive(None)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive("normal")
    problem = solara.use_reactive(start.problem)
    intro_open = solara.use_reactive(True)
    pace = solara.use_ref(Pace())
    drawn = solara.use_memo(Drawn, [])
    solara.use_effect(lambda: drawn.mark(version.value), [version.value])  # effects run once the page shows this version

    def bump() -> None:
        version.set(version.value + 1)

    def play(cancel: threading.Event) -> None:
        generation = session.generation  # a Reset or a new preset ends the play
        pace.current = Pace()
        last = time.perf_counter()
        while playing.value and not cancel.is_set():
            interval = PLAY_SPEEDS[speed.value][1]  # read each month, so a new speed applies at once
            with session.lock:
                if session.generation != generation or session.month >= session.planned_months:
                    break
                months = months_due(time.perf_counter() - last, interval, session.planned_months - session.month)
                session.step(months)
            pace.current = pace.current.after(months, time.perf_counter() - last)
            last = time.perf_counter()
            bump()
            # The page draws in another thread. Wait until it shows this month before running the next, so
            # pictures never queue up behind each other (nor a click behind them: Pause is answered after at
            # most one picture); months that fall due meanwhile run together before the next picture.
            drawn.wait_for(version.value, cancel)
            time.sleep(max(PLAY_BREATH, interval - (time.perf_counter() - last)))
        pace.current = Pace()
        if not cancel.is_set():
            playing.set(False)

    solara.use_thread(play, dependencies=[playing.value], intrusive_cancel=False)

    def act(action: Callable[[], None]) -> None:
        """Run a button's action; a user error becomes the page's message."""
        try:
            action()
        except UserError as error:
            problem.set(str(error))
            return
        problem.set("")
        bump()

    def apply(settings: Settings) -> None:
        playing.set(False)
        act(lambda: session.reset(replace(settings, compare=session.settings.compare, compare_intensity=session.settings.compare_intensity)))
        selected.set(None)

    def reset() -> None:
        try:
            seed = parse_seed(seed_text.value)
        except UserError as error:
            seed_problem.set(str(error))
            return
        seed_problem.set("")
        pending.set(replace(pending.value, seed=seed))
        apply(pending.value)

    def choose_preset(key: str) -> None:
        try:
            seed = parse_seed(seed_text.value)
        except UserError:
            seed = pending.value.seed
        settings = replace(pending.value, seed=seed).with_preset(PRESETS[key])
        pending.set(settings)
        seed_text.set(str(settings.seed))
        seed_problem.set("")
        apply(settings)

    def set_compare(policy: str | None, intensity: float | None = None) -> None:
        act(lambda: session.set_compare(policy, intensity))

    def fire(kind: str) -> None:
        act(lambda: session.fire(kind))

    def step(months: int) -> None:
        session.step(months)
        bump()

    def export() -> bytes:
        return slide_png(session, SCHEMES[colour.value], highlight=selected.value)

    solara.Title(APP_TITLE)
    solara.Style(CSS + legend.CSS)
    with solara.Sidebar():
        Controls(session, pending, seed_text, seed_problem, version.value, choose_preset, set_compare)

    with solara.Column(classes=["shs-main"]):
        RunBar(session, version.value, playing, speed, pace.current, reset, step, export, colour.value, selected.value)
        if problem.value:
            solara.Error(problem.value, classes=["shs-problem"])
        changed = _pending_changes(pending.value, seed_text.value, session.settings)
        if changed:
            solara.Warning(f"Press Reset to use the new {changed} (the run starts again at month 0).", dense=True, classes=["shs-pending"])
        if intro_open.value:
            Intro(lambda: intro_open.set(False))
        ColourPicker(colour)
        compare = len(session.models) == 2
        with solara.Columns([1, 1] if compare else [5, 2]):
            if compare:
                for index, name in enumerate(side_caption(session.settings)):
                    with solara.Column(gap="4px"):
                        solara.HTML(tag="div", unsafe_innerHTML=f"{'AB'[index]}: {name}<span class='shs-badge shs-badge-{'ab'[index]}'>"
                                    f"{explain.calibration_badge(session.settings.preset, 'AB'[index])}</span>", classes=["shs-caption"])
                        CommunityImage(session, index, colour.value, selected.value, version.value, selected.set)
            else:
                with solara.Column(gap="4px"):
                    solara.HTML(tag="div", unsafe_innerHTML=f"<span class='shs-badge shs-badge-a'>{explain.calibration_badge(session.settings.preset)}</span>", classes=["shs-caption"])
                    CommunityImage(session, 0, colour.value, selected.value, version.value, selected.set)
                with solara.Column():
                    ResidentPanel(session, selected.value, version.value, selected.set)
                    WorldPanel(session, version.value, fire)
        Key(colour.value, shows_blocks(session.models[0].state.n))
        if compare:
            s = session.settings
            Prose(f"#### {difference_caption(*side_names(s), s.policy, s.compare)}")
            Prose(explain.COMPARE)
            SurveyCards(session, version.value)
            LiveNumbers(session, version.value)
            DifferencePicture(session, version.value)
            with solara.Columns([1, 1]):
                ResidentPanel(session, selected.value, version.value, selected.set)
                WorldPanel(session, version.value, fire)
        else:
            OutcomePictures(session, version.value)
        Glossary()


class Drawn:
    """The latest version of a page that has been drawn, for Play to wait on."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._version = -1

    def mark(self, version: int) -> None:
        """The page now shows ``version``."""
        with self._condition:
            self._version = max(self._version, version)
            self._condition.notify_all()

    def wait_for(self, version: int, cancel: threading.Event, timeout: float = 60.0) -> bool:
        """Wait until ``version`` is drawn (True), ``cancel`` is set or ``timeout`` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._version < version and not cancel.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._condition.wait(min(left, 0.1))  # wakes to see a cancel, which does not notify
            return self._version >= version


def months_due(elapsed: float, interval: float, left: int) -> int:
    """Months Play runs before its next picture, ``elapsed`` seconds after the last one, at ``interval`` seconds a month.

    The clock keeps its pace: if the last picture took longer than a month's
    interval, the months that fell due run together and are drawn once
    (up to :data:`PLAY_CATCH_UP`), instead of queueing a picture per month.
    Never more than the ``left`` months of the run; at least one.
    """
    due = int(elapsed / interval) if interval > 0 else 1
    return max(1, min(due, PLAY_CATCH_UP, left))


@dataclass(frozen=True)
class Pace:
    """How Play is keeping up: months run per second, and how many months the last picture covered."""

    months_per_second: float = 0.0
    months_per_picture: int = 1

    def after(self, months: int, seconds: float) -> Pace:
        """This pace updated after ``months`` more months in ``seconds`` (a running average over a few pictures)."""
        now = months / max(seconds, 1e-6)
        rate = now if self.months_per_second == 0 else 0.6 * self.months_per_second + 0.4 * now
        return Pace(rate, months)


def side_caption(settings: Settings) -> tuple[str, str]:
    """The two policies' names for the pictures' captions, with each one's intensity when they differ or are not 100%."""
    a, b = side_names(settings)
    if abs(settings.intensity - 1.0) < 1e-9 and abs(settings.intensity_b - 1.0) < 1e-9:
        return a, b
    return f"{a} at {settings.intensity:.0%}", f"{b} at {settings.intensity_b:.0%}"


@solara.component
def Intro(close: Callable[[], None]):
    """The first-load panel: what this is and what to press."""
    with solara.Card(classes=["shs-intro"]):
        Prose(explain.INTRO)
        solara.Button("Got it", on_click=close, outlined=True, color="primary", classes=["shs-intro-close"])


@solara.component
def Key(colour: str, blocks: bool = False):
    """What the colours, lines and markers of the pictures mean (``blocks``: the block view of a large community)."""
    scheme = SCHEMES[colour]
    solara.HTML(tag="div", unsafe_innerHTML=legend.colour_key(scheme, blocks) + legend.tie_key(blocks), classes=["shs-key"])
    text = scheme.block_explanation if blocks else scheme.explanation + " Lines are ties between people; a fainter line is a weaker tie."
    Prose(text, classes=["shs-colour-explanation"])


@solara.component
def Glossary():
    """Plain words for the survey codes, kinds of tie and the ladder."""
    with solara.Details("What the words mean"):
        Prose("\n".join(f"- **{term}**: {text}" for term, text in explain.GLOSSARY_TERMS.items()), classes=["shs-glossary"])


@solara.component
def RunBar(
    session: Session,
    version: int,
    playing: solara.Reactive[bool],
    speed: solara.Reactive[str],
    pace: Pace,
    reset: Callable[[], None],
    step: Callable[[int], None],
    export: Callable[[], bytes],
    colour: str,
    selected: int | None,
):
    """Where the run is and what runs it, at the top of the page (it stays there when the side panel is hidden)."""
    s = session.settings
    policies = policy_name(s.policy) if s.compare is None else "A: {} · B: {}".format(*side_caption(s))
    # A stable function per view state: FileDownload restarts whenever its data function changes.
    data = solara.use_memo(lambda: export, [version, colour, selected, session.generation, s.compare, s.compare_intensity])
    with solara.Column(gap="2px", classes=["shs-runbar"]):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="8px"):
            solara.Text(f"Month {session.month}", classes=["shs-month"])
            solara.Button("Reset", color="primary", on_click=reset, classes=["shs-reset"])
            solara.Button("❚❚ Pause" if playing.value else "▶ Play", color="primary", on_click=lambda: playing.set(not playing.value), classes=["shs-play"])
            solara.Button("Step", color="primary", on_click=lambda: step(1), disabled=playing.value, classes=["shs-step"])
            solara.Button("Step a year", color="primary", outlined=True, on_click=lambda: step(12), disabled=playing.value, classes=["shs-step-year"])
            with solara.Div(style={"width": "250px"}):
                Choice("Play speed", {key: label for key, (label, _) in PLAY_SPEEDS.items()}, speed.value, speed.set, css_class="shs-speed")
            name = f"community-{s.preset}-{s.policy}{'-vs-' + s.compare if s.compare else ''}-month{session.month}-seed{s.seed}.png"
            solara.FileDownload(data, filename=name, label="Export PNG for slides", mime_type="image/png", icon_name="mdi-download")
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="12px"):
            solara.Text(f"Scenario: {session.preset.name} · Policy: {policies} · {s.residents:,} households · seed {s.seed}", classes=["shs-muted", "shs-run"])
            if playing.value:
                solara.v.ProgressCircular(indeterminate=True, size=18, width=2, color="primary")
                solara.Text(pace_text(pace), classes=["shs-busy"])


def pace_text(pace: Pace) -> str:
    """Play's state in words, for the busy indicator."""
    if pace.months_per_second <= 0:
        return "Playing: starting"
    text = f"Playing: about {pace.months_per_second:.1f} months a second"
    if pace.months_per_picture > 1:
        text += f"; drawing every {pace.months_per_picture} months to keep the pace (the machine is busy)"
    return text


@solara.component
def Controls(
    session: Session,
    pending: solara.Reactive[Settings],
    seed_text: solara.Reactive[str],
    seed_problem: solara.Reactive[str],
    version: int,
    choose_preset: Callable[[str], None],
    set_compare: Callable[[str | None, float | None], None],
):
    """The side panel: scenario, policy, community, seed, side by side."""
    p = pending.value
    with solara.Column(classes=["shs-sidebar"]):
        Prose("### Scenario")
        Choice("Scenario preset", {k: pr.name for k, pr in PRESETS.items()}, p.preset, choose_preset, css_class="shs-preset")
        preset = PRESETS[p.preset]
        Prose(preset.description + (f"\n\n*Scheduled: {preset.events}.*" if preset.events else ""), classes=["shs-preset-description"], size="15px")

        Prose("### Policy")
        Choice("Policy", {name: policy_name(name) for name in POLICIES}, p.policy, lambda v: pending.set(replace(pending.value, policy=v)), css_class="shs-policy")
        solara.SliderInt(f"Intensity: {p.intensity:.0%}", value=round(100 * p.intensity), min=0, max=200, step=10, on_value=lambda v: pending.set(replace(pending.value, intensity=v / 100)))
        Prose(explain.INTENSITY, classes=["shs-muted"], size="15px")
        levers = solara.use_memo(lambda: policy_levers(preset, p.policy, p.intensity), [p.preset, p.policy, p.intensity])
        Prose(explain.policy_text(p.policy, levers), classes=["shs-policy-explanation"], size="15px")

        Prose("### Community")
        low, high = RESIDENTS_RANGE
        solara.SliderInt(f"Households: {p.residents:,}", value=p.residents, min=low, max=high, step=50, on_value=lambda v: pending.set(replace(pending.value, residents=v)))
        solara.InputText("Seed (the same seed: the same community and luck)", value=seed_text, error=seed_problem.value or False, message=seed_problem.value or None, classes=["shs-seed"])

        Prose("### Side by side")
        s = session.settings
        compare = s.compare
        solara.Switch(label="Compare with a second policy (same households, same luck)", value=compare is not None, on_value=lambda on: set_compare(_other_policy(s.policy) if on else None, None), classes=["shs-compare"])
        if compare is not None:
            others = {name: policy_name(name) for name in POLICIES}
            Choice("Policy B (as designed)", others, compare, lambda name: set_compare(name, s.compare_intensity), css_class="shs-policy-b")
            with solara.Div(classes=["shs-intensity-b"]):
                solara.SliderInt(f"Intensity of B: {s.intensity_b:.0%}", value=round(100 * s.intensity_b), min=0, max=200, step=10, on_value=lambda v: set_compare(compare, v / 100))
            Prose(
                f"A is {policy_name(s.policy)} with this scenario's settings (the policy above, as of the last Reset). "
                "B is the policy as designed, in the same scenario (community, landlord, services and events). "
                "B's policy and intensity apply at once: B is rerun from month 0 to this month.",
                size="15px",
            )
            Prose(explain.policy_text(compare, policy_levers(session.preset, compare, s.intensity_b, as_designed=True)), classes=["shs-policy-b-explanation"], size="15px")


def _other_policy(policy: str) -> str:
    """A sensible policy B for ``policy``: co-production, or paternalistic if A is co-production."""
    return "paternalistic" if policy == "co_production" else "co_production"


def _pending_changes(pending: Settings, seed_text: str, applied: Settings) -> str:
    """What the controls changed since the last Reset, in words ("" if nothing)."""
    names = []
    if pending.policy != applied.policy:
        names.append("policy")
    if abs(pending.intensity - applied.intensity) > 1e-9:
        names.append("intensity")
    if pending.residents != applied.residents:
        names.append("community size")
    if seed_text.strip() != str(applied.seed):
        names.append("seed")
    return ", ".join(names)
