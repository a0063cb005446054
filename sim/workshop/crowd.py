"""A room of participants in a real browser, for the live workshop's tests and benchmark.

:class:`WorkshopServer` starts ``python run.py workshop`` (the app server of
:mod:`sim.viz.browser` with the workshop's command) and reads the join
address and the facilitator's link from what it prints. :class:`Crowd`
joins participants, each in a browser context of its own at a phone's
size, and makes their choices by clicking as a person would.
:func:`scripted_choice` says what participant ``i`` chooses in a month, so a
test can compare the record with what was clicked.

Playwright is a development dependency: it is used only through the pages
handed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.mechanisms.human_choices import HouseholdChoice
from sim.viz.browser import AppServer

PHONE = {"width": 390, "height": 844}


class WorkshopServer(AppServer):
    """``python run.py workshop`` with ``options`` on a free localhost port; once started, ``join_url`` (the join page, without
    the room code), ``code``, ``facilitator_url`` and ``landlord_url``."""

    def __init__(self, log: Path, options: tuple[str, ...], **kwargs: Any):
        super().__init__(log, command=("workshop", *options), **kwargs)
        self.join_url = self.facilitator_url = self.landlord_url = self.code = ""

    def __enter__(self) -> WorkshopServer:
        super().__enter__()
        text = self.log()
        join = re.search(r"Participants join at: (\S+) \(room code (\w+)\)", text)
        facilitator = re.search(r"Facilitator's screen: (\S+)", text)
        landlord = re.search(r"Landlord team's screen \(optional\): (\S+)", text)
        self.landlord_url = landlord.group(1) if landlord else ""
        if not join or not facilitator:
            self.stop()
            raise RuntimeError(f"the workshop server did not print its addresses:\n{text}")
        self.join_url, self.code, self.facilitator_url = join.group(1).split("?")[0], join.group(2), facilitator.group(1)
        return self


def scripted_choice(i: int, month: int) -> HouseholdChoice:
    """What participant ``i`` (from 0) chooses in ``month`` in the tests and the benchmark: varied, and known."""
    take_part = (i + month) % 3 != 0
    return HouseholdChoice(
        take_part=take_part,
        raise_domain=(i + month) % 4 if take_part else None,
        complain=(i % 2 == 0),
        call_on_neighbour=(i + month) % 5 != 0,
    )


@dataclass
class Seat:
    """One participant's browser context, page and address."""

    context: Any
    page: Any
    url: str


class Crowd:
    """Participants in one browser, each in a context (own cookies and connection) of their own."""

    def __init__(self, browser: Any, join_url: str):
        self.browser, self.join_url = browser, join_url
        self.seats: list[Seat] = []

    def join(self, count: int, expect: Any) -> None:
        """``count`` more participants open the join address (as the QR code gives it) and press Join."""
        for _ in range(count):
            context = self.browser.new_context(viewport=PHONE)
            page = context.new_page()
            page.goto(self.join_url)
            page.locator(".shs-join").click()
            expect(page.locator("h1")).to_contain_text("Your household")
            self.seats.append(Seat(context, page, page.url))

    def reconnect(self, i: int, expect: Any) -> None:
        """Participant ``i`` loses their page (its context closes) and opens their address again in a new one."""
        seat = self.seats[i]
        seat.context.close()
        context = self.browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.goto(seat.url)
        expect(page.locator("h1")).to_contain_text("Your household")
        self.seats[i] = Seat(context, page, seat.url)

    def choose(self, i: int, month: int, expect: Any, send: bool = True) -> HouseholdChoice:
        """Participant ``i`` makes their scripted choice for ``month`` by clicking (and sends it, unless told not to)."""
        page, choice = self.seats[i].page, scripted_choice(i, month)
        expect(page.get_by_text(f"Month {month}: your choices")).to_be_visible()
        picks = [f"take-part-{'yes' if choice.take_part else 'no'}", f"complain-{'yes' if choice.complain else 'no'}",
                 f"neighbour-{'yes' if choice.call_on_neighbour else 'no'}"]
        if choice.take_part:
            picks.insert(1, f"raise-{choice.raise_domain}")
        for pick in picks:
            page.locator(f".shs-{pick} label").click()
            expect(page.locator(f".shs-{pick} input")).to_be_checked()
        if send:
            page.locator(".shs-send").click()
            # The last to choose sees the month's result at once: the month runs when everyone has chosen.
            expect(page.get_by_text(re.compile(rf"^(Your choice for month {month} is in|What happened in month {month})\b"))).to_be_visible()
        return choice

    def close(self) -> None:
        for seat in self.seats:
            seat.context.close()
