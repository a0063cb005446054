"""What the colours of residents mean: one colour scheme per outcome the user can choose.

Continuous outcomes use a fixed scale from 0 to 1 (never rescaled to the
current range, so a colour means the same thing at every step and in both
halves of a side-by-side view), in a red-yellow-blue scheme that stays
readable for the common forms of colour blindness: blue is the hopeful end
(trust, low stigma), red the worrying end. Categories (in work; took part)
use a few named colours. Every scheme carries the plain-language sentence a
workshop facilitator can read out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import Colormap, to_rgba

if TYPE_CHECKING:
    from sim.model import HousingModel

BLUE = "#2c7bb6"
ORANGE = "#fdae61"
RED = "#d7191c"
GREY = "#bdbdbd"
PALE = "#f2f2f2"
"""A block where no household is in a categorical scheme's first category (see :meth:`ColourScheme.block_colours`)."""


@dataclass(frozen=True)
class ColourScheme:
    """How residents are coloured by one outcome.

    Continuous schemes have a ``cmap`` and ``ends`` (what 0 and 1 mean);
    categorical schemes have ``categories``: (label, colour) pairs, and
    :meth:`values` returns category numbers. ``share`` names what a block's
    colour shows in the block view of a categorical scheme (the share of
    its households in the first category).
    """

    key: str
    label: str
    explanation: str
    cmap: str | None = None
    ends: tuple[str, str] = ("", "")
    categories: tuple[tuple[str, str], ...] = ()
    share: str = ""

    @property
    def continuous(self) -> bool:
        """True for a 0-1 scale, False for categories."""
        return self.cmap is not None

    def colormap(self) -> Colormap:
        """The matplotlib colour map of a continuous scheme."""
        if self.cmap is None:
            raise ValueError(f"{self.key} is categorical: it has no colour map")
        return colormaps[self.cmap]

    def values(self, model: HousingModel) -> np.ndarray:
        """Each resident's value: in [0, 1] for a continuous scheme, a category number otherwise."""
        s = model.state
        if self.key == "trust_landlord":
            return np.asarray(s.trust_landlord, dtype=float)
        if self.key == "stigma":
            return np.asarray(s.stigma, dtype=float)
        if self.key == "employment":
            return np.where(~s.working_age, 2, np.where(s.employed, 0, 1))
        if self.key == "participation":
            return np.where(s.participated, 0, np.where(s.contacted, 1, 2))
        raise KeyError(self.key)

    def colours(self, model: HousingModel) -> np.ndarray:
        """Each resident's colour, an ``(n, 4)`` RGBA array."""
        return self.colours_of(self.values(model))

    def colours_of(self, values: np.ndarray) -> np.ndarray:
        """RGBA colours for ``values`` as returned by :meth:`values`."""
        if self.continuous:
            return self.colormap()(np.clip(values, 0.0, 1.0))
        palette = np.array([to_rgba(colour) for _, colour in self.categories])
        return palette[np.asarray(values, dtype=np.int64)]

    def block_colours(self, model: HousingModel, blocks: np.ndarray, count: int) -> np.ndarray:
        """Each block's colour, a ``(count, 4)`` RGBA array, for block numbers ``blocks`` (one per household).

        A continuous scheme colours a block by its households' mean value (on
        the same fixed scale as a household); a categorical one by the share of
        its households in the first category, from pale grey (none) to that
        category's colour (all).
        """
        values = self.values(model)
        households = np.maximum(np.bincount(blocks, minlength=count), 1)
        if self.continuous:
            return self.colours_of(np.bincount(blocks, values, minlength=count) / households)
        share = np.bincount(blocks, np.asarray(values) == 0, minlength=count) / households
        pale, full = np.array(to_rgba(PALE)), np.array(to_rgba(self.categories[0][1]))
        return pale + share[:, None] * (full - pale)

    @property
    def block_explanation(self) -> str:
        """What the block view's colours mean, in a sentence."""
        shown = f"the {self.share}" if not self.continuous else f"their average {self.label.lower()}"
        ends = f" ({self.ends[0]}, {self.ends[1]})" if self.continuous else " (pale grey: none, deepest colour: all)"
        return (
            "From 1,000 households the picture shows blocks, not households: each circle is a block of flats, "
            f"its size the number of households, its colour {shown}{ends}. Lines are the ties between blocks and to the "
            "landlord and services, fainter where there are fewer."
        )

    def describe(self, value: float | int) -> str:
        """One resident's value in words (for the resident panel)."""
        if self.continuous:
            return f"{float(value):.2f}"
        return self.categories[int(value)][0]


SCHEMES: dict[str, ColourScheme] = {
    s.key: s
    for s in (
        ColourScheme(
            "trust_landlord",
            "Trust in the landlord",
            "Each dot is a household. Blue: trusts the landlord. Red: distrusts it. "
            "Trust grows slowly when services meet need and staff show respect, and falls fast when residents are let down or ignored.",
            cmap="RdYlBu",
            ends=("0: no trust", "1: full trust"),
        ),
        ColourScheme(
            "stigma",
            "Stigma felt",
            "Each dot is a household. Red: feels strongly looked down on for living in social housing (internalised stigma). "
            "Blue: hardly at all. Disrespect, stigma in the media and employers' postcode bias push it up; "
            "close neighbours, a confident block and real power in decisions hold it back.",
            cmap="RdYlBu_r",
            ends=("0: none", "1: strong"),
        ),
        ColourScheme(
            "employment",
            "In work",
            "Each dot is a household. Blue: in work. Orange: of working age and not in work. Grey: not of working age (retired, caring). "
            "Ties to people in other blocks help people hear of jobs.",
            categories=(("In work", BLUE), ("Working age, not in work", ORANGE), ("Not of working age", GREY)),
            share="share of households in work",
        ),
        ColourScheme(
            "participation",
            "Taking part",
            "Each dot is a household. Blue: took part this month (a meeting, a workshop, a survey). "
            "Orange: someone knocked on the door this month, but they did not take part. Grey: neither.",
            categories=(("Took part this month", BLUE), ("Contacted by outreach only", ORANGE), ("Neither this month", GREY)),
            share="share of households who took part this month",
        ),
    )
}
"""The outcomes residents can be coloured by, in the order the picker lists them."""

DEFAULT_SCHEME = "trust_landlord"


def scheme(key: str) -> ColourScheme:
    """The colour scheme called ``key``, or a ValueError listing the valid keys."""
    try:
        return SCHEMES[key]
    except KeyError:
        raise ValueError(f"unknown colour scheme {key!r} (accepted: {', '.join(SCHEMES)})") from None
