"""Where each household, the landlord and the services sit in the drawing.

The picture is a map of the community, not a force-directed hairball:
estates sit side by side on a grid, each estate's blocks on a smaller grid
inside it, and each block's households in a small disc (a sunflower spiral,
so blocks of any size look alike) with a little seeded jitter. Ties within
a block are then short strokes inside a disc, ties across blocks are the
long lines between discs, and the landlord and services stand in a row
above the estates, so linking ties rise towards them.

The layout depends only on where the dwellings are (block and estate), which
never changes during a run (households move, dwellings stay), so it is
computed once per network and reused at every step; it draws from its own
seeded generator and never touches the model's random streams. Computing it
is vectorised (a few milliseconds for 10,000 households).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

LAYOUT_SEED = 20181
"""Seed of the layout's jitter (any fixed number: the same community always looks the same)."""

BLOCK_RADIUS = 0.38
"""Radius of a block's disc of households, in block cells (a cell is 1 x 1)."""

JITTER = 0.04
"""Standard deviation of the seeded jitter, in block cells."""

ESTATE_GAP = 0.8
"""Space between estates, in block cells."""

INSTITUTION_ROW_HEIGHT = 1.6
"""Height of the row of landlord and service nodes above the estates, in block cells."""

LABEL_ROOM = 0.35
"""Least room above each estate for its label, in block cells."""

LABEL_SHARE = 0.045
"""Room above each estate for its label as a share of the drawing's width: a label must stay
legible when the picture is shown small, so its height is a fixed share of the width
(:data:`sim.viz.figures.MIN_TEXT_PX` at :data:`sim.viz.figures.COMMUNITY_WIDTH`), and a
wide community of many estates needs more room, in block cells, than a small one."""

ASPECT = 1.6
"""Width / height the arrangement aims for (the drawing's shape)."""


@dataclass(frozen=True)
class Layout:
    """Positions for one community, in block cells (x to the right, y up).

    ``residents`` is an ``(n, 2)`` array, row ``i`` for dwelling ``i``;
    ``institutions`` maps a node name of :meth:`HousingModel.graph`
    (``"landlord"``, ``"service:repairs"``, ...) to its position;
    ``estates`` gives each estate's label position; ``bounds`` is
    ``(xmin, xmax, ymin, ymax)`` with a margin; ``blocks`` numbers each
    dwelling's block (0, 1, ... in order of first appearance; a block that
    spans estates counts once per estate) and ``block_centres`` is row ``g``
    for block ``g``'s centre (what the aggregated view draws).
    """

    residents: np.ndarray
    institutions: dict[str, tuple[float, float]]
    estates: dict[int, tuple[float, float]] = field(default_factory=dict)
    bounds: tuple[float, float, float, float] = (0.0, 1.0, 0.0, 1.0)
    blocks: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    block_centres: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))


def community_layout(block: np.ndarray, estate: np.ndarray, institutions: tuple[str, ...], seed: int = LAYOUT_SEED) -> Layout:
    """The seeded layout of households in ``block``/``estate`` and the ``institutions`` row.

    Args:
        block: block label of each dwelling (integers; any labels).
        estate: estate label of each dwelling. A block that spans estates
            (possible in a user's network file) is drawn once per estate.
        institutions: node names of the landlord and services, drawn in a
            row above the estates in this order.
        seed: seed of the jitter; the same inputs and seed give the same layout.
    """
    block = np.asarray(block, dtype=np.int64)
    estate = np.asarray(estate, dtype=np.int64)
    n = len(block)
    if estate.shape != block.shape:
        raise ValueError(f"block and estate must have one entry per dwelling (got {block.shape} and {estate.shape})")
    rng = np.random.default_rng(seed)
    positions = np.zeros((n, 2))
    estate_labels: dict[int, tuple[float, float]] = {}
    if n == 0:
        return Layout(positions, _institution_row(institutions, 0.0, 1.0, 0.0), estate_labels, (0.0, 1.0, 0.0, 1.0))

    # Groups are (estate, block) pairs in order of first appearance.
    estates, estate_index = np.unique(estate, return_inverse=True)
    pair = estate_index.astype(np.int64) * (int(block.max()) - int(block.min()) + 1) + (block - block.min())
    _, first, group = np.unique(pair, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # groups in order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    group = rank[group]
    group_estate = estate_index[first[order]]

    # Each estate is a grid of block cells with a common number of rows;
    # estates sit side by side on shelves. Rows and shelves are chosen so the
    # whole picture is about as wide as a slide.
    blocks_in_estate = np.bincount(group_estate, minlength=len(estates))
    label_room = LABEL_ROOM
    for _ in range(2):  # the label room depends on the width, which depends (a little) on the label room
        rows, shelves = _arrangement(blocks_in_estate, ASPECT, label_room)
        estate_width = np.ceil(blocks_in_estate / rows).astype(np.int64)
        per_shelf = math.ceil(len(estates) / shelves)
        width = max(float((estate_width[i : i + per_shelf] + ESTATE_GAP).sum()) for i in range(0, len(estates), per_shelf))
        label_room = max(LABEL_ROOM, LABEL_SHARE * width)
    per_shelf = math.ceil(len(estates) / shelves)
    shelf = np.arange(len(estates)) // per_shelf
    estate_x = np.zeros(len(estates))
    for s in range(shelves):  # one entry per estate: cheap
        members = np.flatnonzero(shelf == s)
        widths = estate_width[members] + ESTATE_GAP
        estate_x[members] = np.concatenate(([0.0], np.cumsum(widths)[:-1]))
    estate_y = -shelf * (rows + ESTATE_GAP + label_room)
    position_in_estate = np.zeros(len(order), dtype=np.int64)
    seen = np.zeros(len(estates), dtype=np.int64)
    for g, e in enumerate(group_estate):  # one entry per block: cheap
        position_in_estate[g] = seen[e]
        seen[e] += 1
    columns = estate_width[group_estate]
    group_x = estate_x[group_estate] + position_in_estate % columns + 0.5
    group_y = estate_y[group_estate] - (position_in_estate // columns + 0.5)

    # Households in a block: a sunflower spiral filling the block's disc.
    slot = np.zeros(n, dtype=np.int64)
    by_group = np.argsort(group, kind="stable")
    sizes = np.bincount(group)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    slot[by_group] = np.arange(n) - np.repeat(starts, sizes)
    size = sizes[group]
    radius = BLOCK_RADIUS * np.sqrt((slot + 0.5) / size)
    angle = slot * math.pi * (3.0 - math.sqrt(5.0))
    positions[:, 0] = group_x[group] + radius * np.cos(angle)
    positions[:, 1] = group_y[group] + radius * np.sin(angle)
    positions += rng.normal(0.0, JITTER, positions.shape)

    for i, label in enumerate(estates):
        estate_labels[int(label)] = (float(estate_x[i] + estate_width[i] / 2.0), float(estate_y[i] + 0.08))
    xmin = -0.2
    xmax = float((estate_x + estate_width).max()) + 0.2
    ymin = float((estate_y - rows).min()) - 0.2
    row_y = label_room + INSTITUTION_ROW_HEIGHT * 0.5
    centres = np.column_stack((group_x, group_y))
    return Layout(positions, _institution_row(institutions, xmin, xmax, row_y), estate_labels, (xmin - 0.2, xmax + 0.2, ymin, row_y + 0.6), group, centres)


def _arrangement(blocks_in_estate: np.ndarray, aspect: float, label_room: float = LABEL_ROOM) -> tuple[int, int]:
    """Rows of blocks per estate and shelves of estates that bring width / height closest to ``aspect``."""
    estates = len(blocks_in_estate)
    best = (math.inf, 1, 1)
    for rows in range(1, int(blocks_in_estate.max()) + 1):
        columns = np.ceil(blocks_in_estate / rows)
        if (np.ceil(blocks_in_estate / columns) < rows).all():
            continue  # every estate would leave its last row empty: fewer rows draw the same estates
        widths = columns + ESTATE_GAP
        for shelves in range(1, estates + 1):
            per_shelf = math.ceil(estates / shelves)
            if (shelves - 1) * per_shelf >= estates:
                continue  # an empty shelf
            padded = np.concatenate((widths, np.zeros(shelves * per_shelf - estates)))
            width = padded.reshape(shelves, per_shelf).sum(axis=1).max()
            height = shelves * (rows + ESTATE_GAP + label_room) + INSTITUTION_ROW_HEIGHT
            score = abs(math.log(width / height / aspect))
            if score < best[0] - 1e-9:
                best = (score, rows, shelves)
    return best[1], best[2]


def _institution_row(names: tuple[str, ...], xmin: float, xmax: float, y: float) -> dict[str, tuple[float, float]]:
    """The landlord and services in a row at height ``y``, each in the middle of an equal share of the width (the most room for their labels)."""
    if not names:
        return {}
    xs = xmin + (np.arange(len(names)) + 0.5) * (xmax - xmin) / len(names)
    return {name: (float(x), float(y)) for name, x in zip(names, xs, strict=True)}
