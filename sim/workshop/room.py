"""The workshop room: who plays which household, the month's choices and countdown, and the two runs.

The facilitator opens each month; participants choose for their household
until everyone has chosen, the countdown ends, or the facilitator runs the
month; whoever did not choose leaves their household to the model's own
rule. Between months the facilitator can change the landlord's policy, fire
events, and pause a countdown.

Two models run side by side, built alike from the same scenario and seed:
``with_people`` takes the participants' choices, ``without_people`` never
does. Policy changes and events go to both. Because every random number is
drawn per household whatever anyone chose
(:mod:`sim.mechanisms.human_choices`), the difference between them is what
the people changed.

Safety: joining needs the room code; a participant is known by a secret
token (in their page's address, so a reload or a lost connection gets the
same household back) and can choose only for the household that token
plays: :meth:`Room.submit` takes no household. The facilitator's controls
need the facilitator's token. Codes and tokens are compared in constant
time.

Every change happens under one lock; pages wait for the room's ``version``
to move (:meth:`Room.wait_change`) and then read it.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.events import fire_now
from sim.mechanisms import outcomes
from sim.mechanisms.human_choices import HouseholdChoice, LandlordChoice
from sim.mechanisms.social_capital import bonding_capital
from sim.model import HousingModel
from sim.policies import POLICIES
from sim.scenario import Scenario
from sim.workshop import words
from sim.workshop.record import HOUSEHOLD_COLUMNS, SessionRecord

CODE_LETTERS = "ACDEFHJKMNPRTUVWXY"
"""Letters of a room code: no look-alikes (B/8, I/1, O/0, S/5, G/6, L, Z/2, Q)."""

CODE_LENGTH = 5

WAITING, OPEN, PAUSED = "waiting", "open", "paused"
"""The room's phases: between months; a month open for choices; a month's countdown paused."""

EVENTS: dict[str, str] = {
    "funding_cut": "Funding cut",
    "safety_scandal": "Safety scandal",
    "hub_opening": "Hub opens",
    "hub_closure": "Hub closes",
}
"""Events the facilitator can fire between months, with their button labels."""

WORLDS = ("with people", "without people")


class RoomError(Exception):
    """An action the room refuses, with a message for the person who tried it."""


@dataclass
class Participant:
    """Someone playing a household: known by a secret token, recorded by an anonymous id."""

    token: str
    id: str
    household: int
    joined_month: int
    reports: list[tuple[int, list[str]]] = field(default_factory=list)  # (month, what happened, in words)


@dataclass(frozen=True)
class Answer:
    choice: HouseholdChoice
    seconds: float


def new_code(rng: secrets.SystemRandom | None = None) -> str:
    """A fresh room code (5 letters from :data:`CODE_LETTERS`)."""
    pick = rng or secrets.SystemRandom()
    return "".join(pick.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """A typed room code as compared: letters only, upper case."""
    return "".join(ch for ch in str(text).upper() if ch.isalnum())


class Room:
    """One workshop session (see the module docstring).

    Args:
        scenario: the scenario both runs are built from.
        scenario_text: that scenario's file text (recorded, for replay).
        residents: households in the community.
        seed: the seed of both runs.
        countdown: seconds participants have to choose each month.
        folder: where the research record goes.
        policy_levers: a function giving the levers of a policy by name, for the facilitator's changes.
        code, facilitator_token, landlord_token: set for tests; fresh random ones otherwise.
    """

    def __init__(self, scenario: Scenario, scenario_text: str, *, residents: int, seed: int, countdown: float, folder: Path,
                 policy_levers: Callable[[str], dict[str, float]], code: str | None = None, facilitator_token: str | None = None,
                 landlord_token: str | None = None, clock: Callable[[], float] = time.monotonic):
        self.code = code or new_code()
        self.join_url = ""  # the join page's address as participants' phones reach it (set by the server)
        self.facilitator_token = facilitator_token or secrets.token_urlsafe(16)
        self.landlord_token = secrets.token_urlsafe(16) if landlord_token is None else landlord_token
        self.landlord_team = False  # whether a team plays the landlord (its page has been opened)
        self.landlord_answer: Answer | None = None
        self.landlord_reports: list[tuple[int, list[str]]] = []
        self.countdown = float(countdown)
        self.clock = clock
        self.scenario_name = scenario.name
        self.residents, self.seed = residents, seed
        self._policy_levers = policy_levers
        self.with_people = HousingModel(scenario, rng=seed, residents=residents)
        self.without_people = HousingModel(scenario, rng=seed, residents=residents)
        self.policy = self.with_people.landlord.policy.name
        n = self.with_people.state.n
        self._households = [int(h) for h in np.random.default_rng([seed, 0x5E55]).permutation(n)]  # who joins k-th plays the k-th
        self._took_part = {world: np.zeros(n) for world in WORLDS}  # months each household took part, per world
        self.participants: dict[str, Participant] = {}
        self.answers: dict[str, Answer] = {}
        self.phase = WAITING
        self.deadline = 0.0  # clock time the open month's countdown ends
        self.remaining = 0.0  # seconds left when paused
        self.opened_at = 0.0
        self.changes: list[dict[str, Any]] = []  # policy changes and events, by the month they take effect in
        self.version = 0
        self.lock = threading.RLock()
        self._changed = threading.Condition(self.lock)
        self._timer: threading.Timer | None = None
        self._pending: list[tuple[list, list, pd.DataFrame]] = []  # months run whose rows are not yet written
        self._landlord_rows: list[dict[str, Any]] = []  # the landlord team's choices, one row per month since it joined
        self.record = SessionRecord(folder, scenario_text)
        self._record_lock = threading.Lock()
        self._write_session()

    # -- reading -------------------------------------------------------------------

    @property
    def month(self) -> int:
        """Months run so far."""
        return int(self.with_people.steps)

    def wait_change(self, seen: int, timeout: float) -> int:
        """Wait until the room's version is not ``seen`` (or ``timeout`` seconds pass); the version now."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != seen, timeout)
            return self.version

    def participant(self, token: str | None) -> Participant | None:
        """The participant with this token, or None."""
        if not token:
            return None
        with self.lock:
            for known, participant in self.participants.items():
                if hmac.compare_digest(known.encode(), str(token).encode()):
                    return participant
        return None

    def is_facilitator(self, token: str | None) -> bool:
        """Whether ``token`` is the facilitator's."""
        return bool(token) and hmac.compare_digest(str(token).encode(), self.facilitator_token.encode())

    def seconds_left(self) -> float:
        """Seconds left to choose in the open month (0 when none is open)."""
        with self.lock:
            if self.phase == OPEN:
                return max(0.0, self.deadline - self.clock())
            return self.remaining if self.phase == PAUSED else 0.0

    def household_lines(self, participant: Participant) -> list[str]:
        """What the participant's household knows now, in plain words."""
        with self.lock:
            return words.household_lines(words.facts(self.with_people, participant.household), self.policy)

    def answered(self, participant: Participant) -> HouseholdChoice | None:
        """What the participant chose this month, if they have."""
        with self.lock:
            answer = self.answers.get(participant.token)
            return answer.choice if answer else None

    def can_take_part(self) -> bool:
        """Whether the landlord runs a channel residents could be invited to."""
        policy = self.with_people.landlord.policy
        return not (policy.reach <= 0.0 and policy.capacity <= 0.0)

    # -- joining -------------------------------------------------------------------

    def join(self, code: str) -> Participant:
        """A new participant, given a household, if ``code`` is the room's; RoomError otherwise."""
        if not hmac.compare_digest(normalise_code(code).encode(), self.code.encode()):
            raise RoomError("That is not this room's code. Check the code on the facilitator's screen.")
        with self.lock:
            if len(self.participants) >= len(self._households):
                raise RoomError("Every household in this community is already played.")
            number = len(self.participants) + 1
            participant = Participant(secrets.token_urlsafe(16), f"p{number:02d}", self._households[number - 1], self.month)
            self.participants[participant.token] = participant
            self._bump()
        self._write_session()
        return participant

    # -- the landlord team ---------------------------------------------------------

    def is_landlord_team(self, token: str | None) -> bool:
        """Whether ``token`` is the landlord team's."""
        return bool(token) and hmac.compare_digest(str(token).encode(), self.landlord_token.encode())

    def claim_landlord(self, token: str) -> None:
        """The landlord team's page opened: from now on, each month waits for the team's choice too."""
        if not self.is_landlord_team(token):
            raise RoomError("Only the landlord team's page can do that.")
        with self.lock:
            if not self.landlord_team:
                self.landlord_team = True
                self._bump()
        self._write_session()

    def submit_landlord(self, token: str, choice: LandlordChoice) -> None:
        """The landlord team's choice for the open month: which kinds of request it acts on."""
        if not self.is_landlord_team(token):
            raise RoomError("Only the landlord team's page can do that.")
        with self.lock:
            if self.phase not in (OPEN, PAUSED):
                raise RoomError("No month is open for choices just now: wait for the facilitator.")
            self.landlord_team = True
            self.landlord_answer = Answer(choice, self.clock() - self.opened_at)
            everyone = self._everyone_chose()
            if everyone and self.phase == OPEN:
                self._run_month()
            else:
                self._bump()
        if everyone:
            self._write_month()

    def landlord_lines(self) -> list[str]:
        """What the landlord's board knows before choosing: last month's requests, the budget, residents' share of decisions."""
        with self.lock:
            return words.landlord_lines(self.with_people)

    # -- the month -----------------------------------------------------------------

    def open_month(self, token: str, seconds: float | None = None) -> None:
        """Open the next month for choices, with a countdown of ``seconds`` (default: the room's)."""
        self._facilitator(token)
        with self.lock:
            if self.phase != WAITING:
                raise RoomError("A month is already open.")
            self.answers = {}
            self.landlord_answer = None
            self.opened_at = self.clock()
            self._start_countdown(self.countdown if seconds is None else float(seconds))
            self._bump()

    def submit(self, token: str, choice: HouseholdChoice) -> None:
        """The choice of the participant with ``token``, for their own household, in the open month."""
        participant = self.participant(token)
        if participant is None:
            raise RoomError("This page is not a participant of this room. Join again with the room code.")
        with self.lock:
            if self.phase not in (OPEN, PAUSED):
                raise RoomError("No month is open for choices just now: wait for the facilitator.")
            self.answers[participant.token] = Answer(choice, self.clock() - self.opened_at)
            everyone = self._everyone_chose()
            if everyone and self.phase == OPEN:
                self._run_month()
            else:
                self._bump()
        if everyone:
            self._write_month()

    def run_now(self, token: str) -> None:
        """The facilitator runs the open month now (whoever has not chosen keeps the model's rule)."""
        self._facilitator(token)
        with self.lock:
            if self.phase not in (OPEN, PAUSED):
                raise RoomError("Open a month first.")
            self._run_month()
        self._write_month()

    def pause(self, token: str) -> None:
        """Stop the countdown where it is."""
        self._facilitator(token)
        with self.lock:
            if self.phase == OPEN:
                self.remaining = max(0.0, self.deadline - self.clock())
                self._cancel_timer()
                self.phase = PAUSED
                self._bump()

    def resume(self, token: str) -> None:
        """Restart a paused countdown."""
        self._facilitator(token)
        with self.lock:
            if self.phase != PAUSED:
                return
            self._start_countdown(self.remaining)
            everyone = self._everyone_chose() and (self.participants or self.landlord_team)
            if everyone:
                self._run_month()
            else:
                self._bump()
        if everyone:
            self._write_month()

    def set_policy(self, token: str, name: str) -> None:
        """Change the landlord's policy from the next month (both runs)."""
        self._facilitator(token)
        if name not in POLICIES:
            raise RoomError(f"{name!r} is not a policy (accepted: {', '.join(sorted(POLICIES))}).")
        self._change("switch_policy", {"policy": name, **self._policy_levers(name)})

    def fire(self, token: str, event: str) -> None:
        """Fire an event, taking effect in the next month (both runs)."""
        self._facilitator(token)
        if event not in EVENTS:
            raise RoomError(f"{event!r} cannot be fired here (accepted: {', '.join(EVENTS)}).")
        self._change(event, {})

    def _change(self, kind: str, values: dict[str, Any]) -> None:
        """Fire ``kind`` in both runs between months, and log it by the month it takes effect in (as replay fires it)."""
        with self.lock:
            self._between_months()
            fired = [fire_now(model, kind, **values) for model in (self.with_people, self.without_people)]
            self.changes.append({"month": fired[0].step, "type": kind, "values": dict(fired[0].values)})
            if kind == "switch_policy":
                self.policy = values["policy"]
            self._bump()
        self._write_session()

    def close(self) -> None:
        """Stop the countdown's timer (the server is stopping)."""
        with self.lock:
            self._cancel_timer()

    # -- debrief -------------------------------------------------------------------

    def debrief(self) -> list[dict[str, Any]]:
        """What the people changed: per measure, the room's households and everyone, with and without people's choices."""
        with self.lock:
            played = np.array(sorted(p.household for p in self.participants.values()), dtype=np.int64)
            months = max(self.month, 1)
            rows = []
            for label, column, better in DEBRIEF_MEASURES:
                values = {world: self._measure(world, column) / (months if column == "took_part" else 1) for world in WORLDS}
                row = {"measure": label, "better": better}
                for who, index in (("room", played), ("everyone", slice(None))):
                    with_, without = (float(np.mean(values[w][index])) if np.size(values[w][index]) else float("nan") for w in WORLDS)
                    row[f"{who} with people"], row[f"{who} without people"], row[f"{who} difference"] = with_, without, with_ - without
                rows.append(row)
            return rows

    def _measure(self, world: str, column: str) -> np.ndarray:
        model = self.with_people if world == WORLDS[0] else self.without_people
        if column == "took_part":
            return self._took_part[world]
        if column == "bonding":
            return bonding_capital(model)
        return np.asarray(getattr(model.state, column), dtype=float)

    # -- inside --------------------------------------------------------------------

    def _facilitator(self, token: str) -> None:
        if not self.is_facilitator(token):
            raise RoomError("Only the facilitator's page can do that.")

    def _everyone_chose(self) -> bool:
        return len(self.answers) >= len(self.participants) and (not self.landlord_team or self.landlord_answer is not None)

    def _between_months(self) -> None:
        if self.phase != WAITING:
            raise RoomError("Wait until this month has run: changes apply between months.")

    def _bump(self) -> None:
        self.version += 1
        self._changed.notify_all()

    def _start_countdown(self, seconds: float) -> None:
        self._cancel_timer()
        self.phase = OPEN
        self.deadline = self.clock() + seconds
        self._timer = threading.Timer(max(0.0, seconds), self._time_up, args=(self.version,))
        self._timer.daemon = True
        self._timer.start()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _time_up(self, _version: int) -> None:
        with self.lock:
            if self.phase != OPEN or self.clock() < self.deadline - 0.05:
                return  # paused, resumed (a newer timer runs) or already run
            self._run_month()
        self._write_month()

    def _run_month(self) -> None:
        """Run the open month in both worlds (lock held); the record is written after, by the caller."""
        self._cancel_timer()
        played = {p.household: p for p in self.participants.values()}
        before = {h: words.facts(self.with_people, h) for h in played}
        tenure = {h: float(self.with_people.state.tenure_months[h]) for h in played}
        choices = {played_by.household: self.answers[token].choice for token, played_by in self.participants.items() if token in self.answers}
        self.with_people.human_choices = dict(choices)
        landlord = self.landlord_answer.choice if self.landlord_answer else None
        self.with_people.landlord_choice = landlord
        trust_before = float(self.with_people.state.trust_landlord.mean())
        self.with_people.step()
        self.without_people.step()
        for world, model in zip(WORLDS, (self.with_people, self.without_people), strict=True):
            self._took_part[world] += model.state.participated
        month = self.month
        for household, participant in played.items():
            after = words.facts(self.with_people, household)
            moved = after.tenure_months < tenure[household] + 1.0
            answer = self.answers.get(participant.token)
            chose = answer.choice.as_record() if answer else None
            participant.reports.append((month, words.month_lines(before[household], after, chose, moved, self.policy)))
        if self.landlord_team:
            self.landlord_reports.append((month, words.landlord_month_lines(self.with_people, landlord, trust_before)))
        self._pending.append(self._month_rows(month, played))
        self.answers = {}
        self.landlord_answer = None
        self.phase = WAITING
        self.remaining = 0.0
        self._bump()

    def _month_rows(self, month: int, played: dict[int, Participant]) -> tuple[list, list, pd.DataFrame]:
        choices = []
        for participant in sorted(self.participants.values(), key=lambda p: p.id):
            answer = self.answers.get(participant.token)
            row = {"month": month, "participant": participant.id, "household": participant.household,
                   "answered": answer is not None, "seconds": answer.seconds if answer else float("nan")}
            row.update(answer.choice.as_record() if answer else dict.fromkeys(("take_part", "raise_domain", "complain", "call_on_neighbour")))
            choices.append(row)
        if self.landlord_team:
            answer = self.landlord_answer
            row = {"month": month, "participant": "landlord team", "household": -1, "answered": answer is not None,
                   "seconds": answer.seconds if answer else float("nan")}
            choices.append(row)
            self._landlord_rows.append({"month": month, "answered": answer is not None, "seconds": row["seconds"],
                                        **(answer.choice.as_record() if answer else {})})
        outcome_rows, household_tables = [], []
        played_mask = np.zeros(self.with_people.state.n, dtype=bool)
        played_mask[sorted(played)] = True
        for world, model in zip(WORLDS, (self.with_people, self.without_people), strict=True):
            outcome_rows.append({"month": month, "world": world, **{k: float(v) for k, v in model.outcomes.items()}})
            columns = {column: (bonding_capital(model) if column == "bonding" else getattr(model.state, column).copy()) for column in HOUSEHOLD_COLUMNS}
            household_tables.append(pd.DataFrame({"month": month, "world": world, "household": np.arange(model.state.n),
                                                  "played": played_mask, **columns}))
        return choices, outcome_rows, pd.concat(household_tables, ignore_index=True)

    def _write_month(self) -> None:
        with self._record_lock:
            with self.lock:
                pending, self._pending = self._pending, []
            for rows in pending:
                self.record.month(*rows)
            if pending and self._landlord_rows:
                self.record.landlord(list(self._landlord_rows))
        self._write_session()

    def _write_session(self) -> None:
        with self.lock:
            about = {
                "scenario": self.scenario_name, "scenario_file": "scenario.toml", "residents": self.residents, "seed": self.seed,
                "countdown_seconds": self.countdown, "months_run": self.month, "landlord_team": self.landlord_team, "outcome_columns": list(outcomes.OUTCOMES),
                "changes": list(self.changes),
                "participants": [{"id": p.id, "household": p.household, "joined_month": p.joined_month}
                                 for p in sorted(self.participants.values(), key=lambda p: p.id)],
            }
        with self._record_lock:
            self.record.session(about)


DEBRIEF_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("Trust in the landlord", "trust_landlord", "higher"),
    ("Trust in neighbours", "trust_neighbours", "higher"),
    ("Feeling looked down on (stigma)", "stigma", "lower"),
    ("Wellbeing", "wellbeing", "higher"),
    ("Ties to neighbours in the block (bonding)", "bonding", "higher"),
    ("Share of months taking part", "took_part", "higher"),
    ("In work", "employed", "higher"),
)
"""The debrief's rows: label, what is measured per household, and which way is better."""


_CURRENT: Room | None = None


def install(room: Room) -> None:
    """Make ``room`` the one this server's pages show (before the server starts)."""
    global _CURRENT
    _CURRENT = room


def current() -> Room:
    """The room this server's pages show."""
    if _CURRENT is None:
        raise RuntimeError("no workshop room: start the server with python run.py workshop")
    return _CURRENT
