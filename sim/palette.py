"""The colour, marker and line style of each scenario, the same in every figure.

Okabe and Ito's palette (2008, "Color universal design"), chosen so every
pair stays apart for readers with red-green colour-vision deficiency
(tests/test_palette.py checks it with :mod:`sim.colour_vision`). The four
headline policies and the two status-quo scenarios have fixed styles, so a
policy has one colour in every report; other scenarios take the remaining
colours in the order they are listed. The status quo is black or dark grey
and dashed: the neutral reference the policies are read against. A batch
whose baseline has no fixed style gets the neutral style for it too.

Colour is never the only cue: each scenario also has its own marker, and
once the colours run out (more than nine scenarios) the line style changes.
"""

from __future__ import annotations

from dataclasses import dataclass

BLACK = "#000000"
DARK_GREY = "#555555"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"


@dataclass(frozen=True)
class Style:
    """How one scenario is drawn: ``colour`` for lines, dots and bars, ``marker`` for dots, ``linestyle`` for lines."""

    colour: str
    marker: str
    linestyle: str = "-"

    def line(self) -> dict[str, str]:
        """Keyword arguments for ``Axes.plot`` (colour and line style)."""
        return {"color": self.colour, "linestyle": self.linestyle}


FIXED: dict[str, Style] = {
    "england_baseline": Style(BLACK, "X", "--"),
    "england_status_quo": Style(DARK_GREY, "P", "--"),
    "paternalistic": Style(VERMILLION, "s"),
    "consultation": Style(SKY_BLUE, "^"),
    "co_design": Style(BLUISH_GREEN, "D"),
    "co_production": Style(BLUE, "o"),
}
"""Scenarios with a style of their own: the status quo (neutral) and the four headline policies."""

NEUTRAL = Style(DARK_GREY, "P", "--")
"""A batch's baseline when it has no fixed style."""

OTHER_COLOURS = (ORANGE, REDDISH_PURPLE, YELLOW)
"""Colours for the other scenarios, in order (yellow last: it is faint on white)."""
OTHER_MARKERS = ("v", "h", "*", "<", ">", "p", "d", "8")
OTHER_LINESTYLES = ("-", "-.", ":")

PALETTE: dict[str, str] = {name: style.colour for name, style in FIXED.items()} | {f"other {i + 1}": c for i, c in enumerate(OTHER_COLOURS)}
"""Every distinct colour a figure can use, by who uses it (what the colour-vision test checks)."""


def styles(scenarios: list[str], baseline: str | None = None) -> dict[str, Style]:
    """The style of each scenario: fixed where the scenario has one, the neutral one for ``baseline``, then the other colours in order."""
    found: dict[str, Style] = {}
    others = 0
    for scenario in scenarios:
        if scenario in FIXED:
            found[scenario] = FIXED[scenario]
        elif scenario == baseline:
            found[scenario] = NEUTRAL
        else:
            lap, slot = divmod(others, len(OTHER_COLOURS))
            found[scenario] = Style(OTHER_COLOURS[slot], OTHER_MARKERS[others % len(OTHER_MARKERS)], OTHER_LINESTYLES[lap % len(OTHER_LINESTYLES)])
            others += 1
    return found


def colours(scenarios: list[str], baseline: str | None = None) -> dict[str, str]:
    """Just the colour of each scenario (see :func:`styles`)."""
    return {name: style.colour for name, style in styles(scenarios, baseline).items()}
