"""The community's layout: how many households, in which blocks and estates.

Households fill blocks of ``block_size`` dwellings in order, and blocks fill
estates of ``blocks_per_estate``. A user's own network file (GraphML or an
edge list, see ``sim.network_io``) replaces both the layout and the
generated ties.
"""

from __future__ import annotations

import numpy as np

from sim.parameters import Param, Section

PARAMETERS = Section(
    "community",
    "Size and layout of the community.",
    (
        Param("residents", 1000, "households", "scenario choice", "Number of households (one Resident agent each).", 2, 50_000_000),
        Param("block_size", 40, "households per block", "assumption", "Dwellings in a block (a building or a street).", 1, 100_000),
        Param("blocks_per_estate", 10, "blocks", "assumption", "Blocks in an estate.", 1, 1_000_000),
        Param("network_file", "", "path (GraphML or edge list), relative to the scenario file", "user data", "A network to load instead of generating one; empty to generate.", None, None),
    ),
)


def layout(residents: int, block_size: int, blocks_per_estate: int) -> tuple[np.ndarray, np.ndarray]:
    """Block and estate of each dwelling: consecutive dwellings share a block."""
    block = np.arange(residents, dtype=np.int64) // block_size
    estate = block // blocks_per_estate
    return block, estate


class Groups:
    """The members of each group (block or estate), indexed once for fast random draws of a member.

    Dwellings never change block or estate, so this is built once per model.
    """

    def __init__(self, group: np.ndarray):
        self.group = np.asarray(group, dtype=np.int64)
        self.order = np.argsort(self.group, kind="stable")
        self.sizes = np.bincount(self.group)
        self.starts = np.concatenate(([0], np.cumsum(self.sizes)[:-1]))

    def random_member(self, who: np.ndarray, u: np.ndarray) -> np.ndarray:
        """For each resident in ``who``, a uniformly random member of its group (possibly itself).

        ``u`` holds one uniform number per resident in ``who``.
        """
        g = self.group[who]
        offset = np.minimum(np.floor(u * self.sizes[g]).astype(np.int64), self.sizes[g] - 1)
        return self.order[self.starts[g] + offset]
