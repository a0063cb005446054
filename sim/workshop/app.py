"""The live workshop's pages (``python run.py workshop``): join, play a household, and the facilitator's screen.

- ``/`` (the join page): a room code (prefilled from the QR code's address) and Join;
- ``/play?p=TOKEN``: a participant's page, phone-sized: their household in plain words, this month's
  choices with the countdown, and what happened last month. The token is the participant's secret: a
  reload, or a lost connection, comes back to the same household;
- ``/landlord?token=TOKEN`` (optional): a team plays the landlord's board: which kinds of request the
  landlord acts on each month, within its budget; once its page has opened, each month waits for it too;
- ``/facilitator?token=TOKEN``: the facilitator's screen: the join address, its QR code and the room
  code; who has joined and who has chosen; the clock (open a month, the countdown, pause, run now);
  the landlord's policy and events between months; the community; and the debrief.

Each page follows the room: a thread of the page's own waits for the room's version to move
(:meth:`sim.workshop.room.Room.wait_change`) and then redraws it. Countdowns tick in the browser
(countdown.vue), so no page is redrawn every second.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, quote

import segno
import solara

from sim.mechanisms.human_choices import HouseholdChoice, LandlordChoice
from sim.model import INSTITUTIONS
from sim.policies import POLICIES, ladder_order
from sim.state import DOMAINS
from sim.viz import legend
from sim.viz.colours import SCHEMES
from sim.viz.figures import CommunityFigure
from sim.viz.layout import community_layout
from sim.workshop import room as rooms
from sim.workshop.room import EVENTS, OPEN, PAUSED, WAITING, Room, RoomError
from sim.workshop.words import NEEDS, RAISE_OPTIONS, choice_words

CSS = """
.shs-workshop { font-size: 18px; line-height: 1.45; padding: 8px 16px; }
.shs-phone { max-width: 480px; margin: 0 auto; padding: 12px; }
.shs-workshop h1 { font-size: 26px; margin: 8px 0; }
.shs-workshop h2 { font-size: 21px; margin: 14px 0 6px; }
.shs-workshop .v-btn { font-size: 16px !important; text-transform: none !important; }
.shs-workshop .v-label, .shs-workshop .v-select__selection, .shs-workshop input { font-size: 17px !important; }
.shs-countdown { font-size: 22px; font-weight: 600; }
.shs-code { font-size: 40px; font-weight: 700; letter-spacing: 6px; }
.shs-problem { color: #a63603; font-weight: 600; }
.shs-chip { display: inline-block; padding: 4px 10px; margin: 3px; border-radius: 14px; border: 2px solid #0072b2; font-size: 16px; }
.shs-chip.shs-chosen { background: #0072b2; color: white; }
.shs-workshop table { border-collapse: collapse; font-size: 16px; }
.shs-workshop td, .shs-workshop th { padding: 4px 10px; border-bottom: 1px solid #ccc; text-align: right; }
.shs-workshop td:first-child, .shs-workshop th:first-child { text-align: left; }
"""

YES_NO = {"yes": "Yes", "no": "No"}

POLICY_NAMES = {name: name.replace("_", "-").capitalize() for name in sorted(POLICIES, key=ladder_order)}


def query(search: str | None) -> dict[str, str]:
    """A page address's query string as a dict (the last value of each key)."""
    return {k: v[-1] for k, v in parse_qs(search or "").items()}


@solara.component_vue(str(Path(__file__).with_name("countdown.vue")))
def Countdown(seconds: float, stamp: int, paused: bool = False, css_class: str = ""):
    """Seconds left, counted down in the browser (restarts when ``stamp`` changes)."""


def use_room_version(room: Room, view: Callable[[], object] | None = None) -> int:
    """The room's version, kept current by a thread of this page that waits for it to move.

    With ``view`` (what this page shows of the room), the page is redrawn only when that changes: a
    participant's page does not redraw each time someone else chooses. Besides saving 30 pages x 30
    choices of redrawing a month, this keeps a redraw from racing a person's click on a choice.
    """
    version = solara.use_reactive(room.version)

    def follow(cancel: threading.Event) -> None:
        seen = version.value
        shown = view() if view else None
        while not cancel.is_set():
            now = room.wait_change(seen, 0.5)
            if now == seen:
                continue
            seen = now
            if view is not None:
                current = view()
                if current == shown:
                    continue
                shown = current
            version.set(now)

    solara.use_thread(follow, dependencies=[], intrusive_cancel=False)
    return version.value


@solara.component
def Layout(children: list = []):  # noqa: B006 (Solara's signature for an app's layout)
    """No navigation bar: each page stands alone (a participant never sees a link to the facilitator's)."""
    solara.Style(CSS + legend.CSS)
    solara.Column(children=children, classes=["shs-workshop"])


@solara.component
def Lines(lines: list[str], css_class: str = ""):
    """Sentences as a list."""
    solara.HTML(tag="ul", unsafe_innerHTML="".join(f"<li>{_escape(line)}</li>" for line in lines), classes=[css_class])


# -- join ----------------------------------------------------------------------------


@solara.component
def Join():
    """The join page: type the room code (or arrive with it from the QR code)."""
    room, router = rooms.current(), solara.use_router()
    code = solara.use_reactive(query(router.search).get("room", ""))
    problem = solara.use_reactive("")

    def join() -> None:
        try:
            participant = room.join(code.value)
        except RoomError as refused:
            problem.set(str(refused))
            return
        router.push(f"/play?p={quote(participant.token)}")

    with solara.Column(classes=["shs-phone"]):
        solara.HTML(tag="h1", unsafe_innerHTML="Join the workshop")
        solara.Text("Type the room code from the facilitator's screen. You will be given a household to play.")
        solara.InputText("Room code", value=code, continuous_update=True, classes=["shs-room-code"])
        solara.Button("Join", on_click=join, color="primary", classes=["shs-join"])
        if problem.value:
            solara.Text(problem.value, classes=["shs-problem"])


# -- a participant -------------------------------------------------------------------


@solara.component
def Play():
    """A participant's page: their household, this month's choices, what happened last month."""
    room, router = rooms.current(), solara.use_router()
    participant = room.participant(query(router.search).get("p"))
    version = use_room_version(room, lambda: (room.month, room.phase, room.policy, participant is not None and room.answered(participant) is not None))
    with solara.Column(classes=["shs-phone"]):
        if participant is None:
            solara.HTML(tag="h1", unsafe_innerHTML="Not recognised")
            solara.Text("This page is not a participant of this room. Join with the room code.", classes=["shs-problem"])
            solara.Button("Go to the join page", on_click=lambda: router.push("/"))
            return
        solara.HTML(tag="h1", unsafe_innerHTML="Your household" + (f" <span class='shs-month'>· {room.month} month{'' if room.month == 1 else 's'} played</span>" if room.month else ""))
        solara.Text(f"You are {participant.id} in room {room.code}.", classes=["shs-who"])
        ChoiceForm(room, participant, version)
        if participant.reports:
            month, lines = participant.reports[-1]
            solara.HTML(tag="h2", unsafe_innerHTML=f"What happened in month {month}")
            Lines(lines, "shs-happened")
        solara.HTML(tag="h2", unsafe_innerHTML="Your household now")
        Lines(room.household_lines(participant), "shs-household")


@solara.component
def ChoiceForm(room: Room, participant: rooms.Participant, version: int):
    """This month's choices (when a month is open), or what to wait for."""
    take_part = solara.use_reactive("yes")
    raise_domain = solara.use_reactive("0")
    complain = solara.use_reactive("yes")
    neighbour = solara.use_reactive("yes")
    problem = solara.use_reactive("")
    phase, chosen = room.phase, room.answered(participant)
    if phase == WAITING:
        solara.Text("Wait for the facilitator to open the next month.", classes=["shs-status", "shs-waiting"])
        return
    Countdown(seconds=room.seconds_left(), stamp=version, paused=phase == PAUSED, css_class="shs-participant-countdown")
    if chosen is not None:
        solara.Text(f"Your choice for month {room.month + 1} is in. Waiting for the others.", classes=["shs-status", "shs-chosen"])
        solara.Text(choice_words(chosen), classes=["shs-said-back"])
        return
    invited = room.can_take_part()

    def send() -> None:
        choice = HouseholdChoice(
            take_part=(take_part.value == "yes") if invited else None,
            raise_domain=int(raise_domain.value) if invited and take_part.value == "yes" else None,
            complain=complain.value == "yes", call_on_neighbour=neighbour.value == "yes")
        try:
            room.submit(participant.token, choice)
        except RoomError as refused:
            problem.set(str(refused))

    solara.HTML(tag="h2", unsafe_innerHTML=f"Month {room.month + 1}: your choices")
    if invited:
        Question("If your landlord invites you this month, will you take part?", take_part, "shs-take-part")
        # Always shown, so that nothing moves under a finger when "No" is chosen (it is not used then).
        solara.Text("If you take part, what will you raise?")
        with solara.v.RadioGroup(v_model=raise_domain.value, on_v_model=raise_domain.set, class_="shs-raise", hide_details=True):
            for key, label in RAISE_OPTIONS.items():
                solara.v.Radio(label=label, value=key, class_=f"shs-raise-{key}")
    else:
        solara.Text("Your landlord does not invite residents to have a say.", classes=["shs-no-channel"])
    Question("If a repair in your home is still not done this month, will you complain?", complain, "shs-complain")
    Question("Will you call on a neighbour this month (help out, have a chat)?", neighbour, "shs-neighbour")
    solara.Button("Send my choice", on_click=send, color="primary", classes=["shs-send"])
    if problem.value:
        solara.Text(problem.value, classes=["shs-problem"])


@solara.component
def Question(text: str, answer: solara.Reactive[str], css_class: str):
    """A yes-or-no question."""
    solara.Text(text)
    with solara.v.RadioGroup(v_model=answer.value, on_v_model=answer.set, row=True, class_=css_class, hide_details=True):
        for key, label in YES_NO.items():
            solara.v.Radio(label=label, value=key, class_=f"{css_class}-{key}")


# -- the landlord team ---------------------------------------------------------------


@solara.component
def LandlordTeam():
    """The landlord team's page (needs the team's token): which kinds of request the landlord acts on this month."""
    room, router = rooms.current(), solara.use_router()
    token = query(router.search).get("token", "")
    allowed = room.is_landlord_team(token)
    version = use_room_version(room, lambda: (room.month, room.phase, room.policy, room.landlord_answer is not None))
    act_on = solara.use_reactive([True] * len(DOMAINS))
    problem = solara.use_reactive("")
    solara.use_effect(lambda: room.claim_landlord(token) if allowed else None, [allowed])
    with solara.Column(classes=["shs-phone"]):
        if not allowed:
            solara.HTML(tag="h1", unsafe_innerHTML="The landlord team's page")
            solara.Text("This page needs the landlord team's link, printed where the workshop was started.", classes=["shs-problem"])
            return
        solara.HTML(tag="h1", unsafe_innerHTML="The landlord's board" + (f" <span class='shs-month'>· {room.month} month{'' if room.month == 1 else 's'} played</span>" if room.month else ""))
        if room.phase == WAITING:
            solara.Text("Wait for the facilitator to open the next month.", classes=["shs-status", "shs-waiting"])
        elif room.landlord_answer is not None:
            Countdown(seconds=room.seconds_left(), stamp=version, paused=room.phase == PAUSED, css_class="shs-landlord-countdown")
            solara.Text(f"Your decision for month {room.month + 1} is in. Waiting for the residents.", classes=["shs-status", "shs-chosen"])
        else:
            Countdown(seconds=room.seconds_left(), stamp=version, paused=room.phase == PAUSED, css_class="shs-landlord-countdown")
            solara.HTML(tag="h2", unsafe_innerHTML=f"Month {room.month + 1}: which requests will you act on?")

            def toggle(d: int, value: bool) -> None:
                flags = list(act_on.value)
                flags[d] = bool(value)
                act_on.set(flags)

            for d, name in enumerate(DOMAINS):
                solara.v.Checkbox(label=f"Requests about {NEEDS[name]}", v_model=act_on.value[d], on_v_model=lambda v, d=d: toggle(d, v),
                                  class_=f"shs-act-on-{name}", hide_details=True)

            def send() -> None:
                try:
                    room.submit_landlord(token, LandlordChoice(tuple(act_on.value)))
                except RoomError as refused:
                    problem.set(str(refused))

            solara.Button("Send the board's decision", on_click=send, color="primary", classes=["shs-send-landlord"])
            if problem.value:
                solara.Text(problem.value, classes=["shs-problem"])
        if room.landlord_reports:
            month, lines = room.landlord_reports[-1]
            solara.HTML(tag="h2", unsafe_innerHTML=f"What happened in month {month}")
            Lines(lines, "shs-landlord-happened")
        solara.HTML(tag="h2", unsafe_innerHTML="What the board knows")
        Lines(room.landlord_lines(), "shs-landlord-knows")


# -- the facilitator -------------------------------------------------------------------


@solara.component
def Facilitator():
    """The facilitator's screen (needs the facilitator's token in its address)."""
    room, router = rooms.current(), solara.use_router()
    token = query(router.search).get("token", "")
    version = use_room_version(room)
    problem = solara.use_reactive("")
    debrief = solara.use_reactive(False)
    if not room.is_facilitator(token):
        with solara.Column(classes=["shs-phone"]):
            solara.HTML(tag="h1", unsafe_innerHTML="The facilitator's page")
            solara.Text("This page needs the facilitator's link, printed where the workshop was started.", classes=["shs-problem"])
        return

    def act(action: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                action()
                problem.set("")
            except RoomError as refused:
                problem.set(str(refused))
        return run

    with solara.Columns([1, 2]):
        with solara.Column():
            JoinPanel(room)
            Joined(room, version)
        with solara.Column():
            solara.HTML(tag="h1", unsafe_innerHTML=f"{POLICY_NAMES.get(room.policy, room.policy)} <span class='shs-month'>· month {room.month}</span>")
            solara.Text(f"Landlord's policy: {POLICY_NAMES.get(room.policy, room.policy)}", classes=["shs-policy"])
            solara.Text(f"Scenario: {room.scenario_name}, {room.residents} households, seed {room.seed}", classes=["shs-scenario"])
            with solara.Row():
                if room.phase == WAITING:
                    solara.Button(f"Open month {room.month + 1}", on_click=act(lambda: room.open_month(token)), color="primary", classes=["shs-open"])
                else:
                    Countdown(seconds=room.seconds_left(), stamp=version, paused=room.phase == PAUSED, css_class="shs-facilitator-countdown")
                    solara.Button("Run the month now", on_click=act(lambda: room.run_now(token)), color="primary", classes=["shs-run-now"])
                    if room.phase == OPEN:
                        solara.Button("Pause", on_click=act(lambda: room.pause(token)), classes=["shs-pause"])
                    else:
                        solara.Button("Resume", on_click=act(lambda: room.resume(token)), classes=["shs-resume"])
            if room.phase == WAITING:
                with solara.Row():
                    for name, label in POLICY_NAMES.items():
                        solara.Button(label, on_click=act(lambda name=name: room.set_policy(token, name)), disabled=name == room.policy,
                                      outlined=True, classes=[f"shs-policy-{name}"])
                with solara.Row():
                    for event, label in EVENTS.items():
                        solara.Button(label, on_click=act(lambda event=event: room.fire(token, event)), outlined=True, classes=[f"shs-event-{event}"])
            if problem.value:
                solara.Text(problem.value, classes=["shs-problem"])
            Community(room, version)
            with solara.Row():
                solara.Button("Hide the debrief" if debrief.value else "Show the debrief", on_click=lambda: debrief.set(not debrief.value),
                              outlined=True, classes=["shs-debrief-button"])
            if debrief.value:
                Debrief(room, version)


@solara.component
def JoinPanel(room: Room):
    """The join address, its QR code and the room code."""
    address = f"{room.join_url}?room={room.code}" if room.join_url else f"/?room={room.code}"
    svg = solara.use_memo(lambda: segno.make(address, error="m").svg_data_uri(scale=6, border=2), [address])
    solara.HTML(tag="h2", unsafe_innerHTML="Join from your phone")
    solara.HTML(tag="img", attributes={"src": svg, "alt": f"QR code for {address}", "width": "220"}, classes=["shs-qr"])
    solara.Text(address, classes=["shs-join-address"])
    solara.HTML(tag="div", unsafe_innerHTML=f"Room code <span class='shs-code'>{room.code}</span>")


@solara.component
def Joined(room: Room, version: int):
    """Who has joined, and who has chosen this month (filled in)."""
    people = sorted(room.participants.values(), key=lambda p: p.id)
    chosen = set(room.answers)
    solara.HTML(tag="h2", unsafe_innerHTML=f"{len(people)} joined" + (f", {len(chosen)} chosen" if room.phase != WAITING else ""))
    if room.landlord_team:
        chosen_landlord = room.landlord_answer is not None
        people_chips = f"<span class='shs-chip shs-landlord-chip{' shs-chosen' if chosen_landlord else ''}'>landlord team{' ✓' if chosen_landlord else ''}</span>"
    else:
        people_chips = ""
    chips = people_chips + "".join(f"<span class='shs-chip{' shs-chosen' if p.token in chosen else ''}'>{p.id}{' ✓' if p.token in chosen else ''}</span>" for p in people)
    solara.HTML(tag="div", unsafe_innerHTML=chips, classes=["shs-joined"])


@solara.component
def Community(room: Room, version: int):
    """The community with the people's choices, coloured by trust in the landlord."""
    figure = solara.use_memo(lambda: CommunityFigure(community_layout(room.with_people.state.block, room.with_people.state.estate, INSTITUTIONS)), [])

    def render() -> bytes:
        with room.lock:
            return figure.render(room.with_people, SCHEMES["trust_landlord"])

    png = solara.use_memo(render, [room.month, room.policy, figure.blocks])
    solara.HTML(tag="img", attributes={"src": "data:image/png;base64," + base64.b64encode(png).decode("ascii"), "width": "100%",
                                       "alt": f"The community at month {room.month}: each dot a household coloured by trust in the landlord; lines are ties."},
                classes=["shs-community"])
    solara.HTML(tag="div", unsafe_innerHTML=legend.colour_key(SCHEMES["trust_landlord"], figure.blocks) + legend.tie_key(figure.blocks), classes=["shs-key"])


@solara.component
def Debrief(room: Room, version: int):
    """What the people changed: the room's households and everyone, with and without their choices."""
    rows = room.debrief()
    head = ("<tr><th>measure</th><th>the room's households: with people</th><th>without</th><th>change</th>"
            "<th>everyone: with people</th><th>without</th><th>change</th></tr>")
    body = "".join(
        f"<tr><td>{r['measure']} ({r['better']} is better)</td>"
        + "".join(f"<td>{r[f'{who} with people']:.3f}</td><td>{r[f'{who} without people']:.3f}</td><td>{r[f'{who} difference']:+.3f}</td>"
                  for who in ("room", "everyone"))
        + "</tr>" for r in rows)
    solara.HTML(tag="h2", unsafe_innerHTML=f"What the people changed, after {room.month} month{'' if room.month == 1 else 's'}")
    solara.Text("Without people: the same community, seed and landlord, with every household left to the model's own rules.")
    solara.HTML(tag="table", unsafe_innerHTML=head + body, classes=["shs-debrief"])


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


routes = [
    solara.Route(path="/", component=Join, label="Join", layout=Layout),
    solara.Route(path="play", component=Play, label="Play", layout=Layout),
    solara.Route(path="facilitator", component=Facilitator, label="Facilitator", layout=Layout),
    solara.Route(path="landlord", component=LandlordTeam, label="Landlord team", layout=Layout),
]
