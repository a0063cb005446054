"""The social network: residents' ties as sparse matrices, linking ties as an array.

Ties between residents are kept in two symmetric ``scipy.sparse`` matrices of
tie strength in (0, 1]: ``bonding`` for ties within a block and ``bridging``
for ties across blocks (and estates). Ties from residents to the landlord
and services (linking ties, across a power gradient) are a dense
``(residents, institutions)`` array. Matrices, not a networkx graph, hold the
live network because word of mouth, weak-tie job referral and the social
capital measures are then single sparse products: at 1,000,000 residents a
networkx graph would cost gigabytes and seconds per step. :meth:`to_networkx`
gives the graph for drawing and export, and ``sim.network_io`` reads a user's
own network from GraphML or an edge list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.arraytools import row_totals
from sim.parameters import Param, Section

if TYPE_CHECKING:  # scipy and networkx only when a network is built or drawn: the parameter list (sim.catalogue) imports this module
    import networkx as nx
    import scipy.sparse as sp

    from sim.tie_matrix import TieMatrix

PARAMETERS = Section(
    "network",
    "The social network: initial ties and how ties form and decay.",
    (
        Param("bonding_degree", 4.0, "ties per resident", "assumption", "Mean number of ties to neighbours in the same block at the start.", 0.0, 100.0, plausible=(2.0, 6.0)),
        Param("bridging_degree", 1.0, "ties per resident", "assumption", "Mean number of ties to residents of other blocks at the start.", 0.0, 100.0, plausible=(0.5, 2.0)),
        Param("same_estate_bridging", 0.7, "share [0, 1]", "assumption", "Share of bridging ties that stay within the estate.", 0.0, 1.0),
        Param("initial_linking", 0.1, "share [0, 1]", "assumption", "Share of residents who start with a tie to someone at the landlord.", 0.0, 1.0),
        Param("bonding_decay", 0.01, "share of strength lost per month", "assumption", "Decay of ties within a block without shared activity (neighbours also meet by chance).", 0.0, 1.0, plausible=(0.005, 0.02)),
        Param("bridging_decay", 0.04, "share of strength lost per month", "assumption", "Decay of ties across blocks without shared activity.", 0.0, 1.0, plausible=(0.02, 0.08)),
        Param("linking_decay", 0.04, "share of strength lost per month", "assumption", "Decay of ties to landlord and service staff without contact.", 0.0, 1.0, plausible=(0.02, 0.08)),
        Param("tie_threshold", 0.05, "tie strength", "assumption", "A tie between residents weaker than this is dropped.", 0.0, 1.0),
        Param("linking_threshold", 0.005, "tie strength", "assumption", "A linking tie (to staff) weaker than this is dropped: low enough that occasional contact of any kind leaves a tie that lasts some months.", 0.0, 1.0),
        Param("neighbour_meeting", 0.1, "probability per month", "assumption", "Chance a resident meets a random neighbour in the block and forms or renews a tie.", 0.0, 1.0, plausible=(0.05, 0.2)),
        Param("estate_meeting", 0.03, "probability per month", "assumption", "Chance a resident meets a random resident of the estate (school gate, shops) and forms or renews a tie.", 0.0, 1.0, plausible=(0.01, 0.06)),
        Param("activity_tie_gain", 0.25, "tie strength", "assumption", "Strength added to a tie by one shared activity (a workshop group, a hub session, a month of close work with staff).", 0.0, 1.0, plausible=(0.1, 0.4)),
        Param("linking_gain", 0.25, "tie strength per month", "assumption", "Strength a month of close work with staff adds to a resident's tie to them (taking part adds this times policy.staff_contact).", 0.0, 1.0, plausible=(0.1, 0.5)),
        Param("outreach_contact", 0.5, "share of a month of close work", "assumption", "How much an outreach visit adds to a resident's tie to landlord staff, as a share of a month of close work.", 0.0, 1.0, plausible=(0.1, 1.0)),
        Param("complaint_contact", 0.2, "share of a month of close work", "assumption", "How much a month with a complaint open adds to a resident's tie to landlord staff.", 0.0, 1.0, plausible=(0.0, 0.5)),
        Param("group_size", 8, "residents", "assumption", "Residents per workshop or hub group; every pair in a group meets.", 2, 50, plausible=(4, 12)),
    ),
)


BRIDGING_REDRAWS = 20

BONDING, BRIDGING = 0, 1
"""Kinds of tie between residents, as stored in :attr:`SocialNetwork.ties`."""


class SocialNetwork:
    """Ties of ``n`` residents and their linking ties to ``institutions`` landlord/service nodes.

    Bonding and bridging ties live in one :class:`sim.tie_matrix.TieMatrix`
    (kind 0 bonding, kind 1 bridging; each tie stored once), so each monthly
    operation is one pass over all ties. Dropped ties are kept there as
    explicit zeros until the next month's new ties are merged in;
    :attr:`bonding` and :attr:`bridging` are the symmetric matrices without
    them, built when first read after a change, so a reader never sees them.
    """

    def __init__(self, block: np.ndarray, ties: TieMatrix, linking: np.ndarray):
        self.block = np.asarray(block, dtype=np.int64)
        self.ties = ties
        self.linking = linking
        self._matrices: dict[int, sp.csr_array] = {}  # each kind as a symmetric matrix, until ties change

    @property
    def n(self) -> int:
        """Number of residents."""
        return len(self.block)

    @property
    def bonding(self) -> sp.csr_array:
        """Symmetric matrix of bonding tie strengths (ties within a block). Read only: built from the store, kept until ties change."""
        return self._matrix(BONDING)

    @property
    def bridging(self) -> sp.csr_array:
        """Symmetric matrix of bridging tie strengths (ties across blocks). Read only: built from the store, kept until ties change."""
        return self._matrix(BRIDGING)

    def _matrix(self, kind: int) -> sp.csr_array:
        if kind not in self._matrices:
            self._matrices[kind] = self.ties.kind(kind)
        return self._matrices[kind]

    def _ties_changed(self) -> None:
        self._matrices = {}

    # -- building -------------------------------------------------------------

    @classmethod
    def from_pairs(cls, block: np.ndarray, u: np.ndarray, v: np.ndarray, strength: np.ndarray, institutions: int) -> SocialNetwork:
        """A network from undirected resident pairs (self-pairs dropped, duplicates summed, capped at 1)."""
        from sim import tie_matrix

        block = np.asarray(block, dtype=np.int64)
        n = len(block)
        (u_bond, v_bond, s_bond), (u_bridge, v_bridge, s_bridge) = _by_kind(block, u, v, strength)
        ties = tie_matrix.TieMatrix.stack([tie_matrix.build(n, u_bond, v_bond, s_bond), tie_matrix.build(n, u_bridge, v_bridge, s_bridge)])
        # Column-major: the monthly updates and readers work an institution (a column) at a time.
        return cls(block, ties, np.zeros((n, institutions), order="F"))

    def strengthen(self, u: np.ndarray, v: np.ndarray, gain: np.ndarray | float) -> None:
        """Add ``gain`` to the ties between pairs ``u[k]``-``v[k]``, creating ties that are missing.

        Pairs in the same block strengthen bonding ties, others bridging ties.
        Strength is capped at 1.
        """
        u, v, gain = self._pairs(u, v, gain)
        self.ties.strengthen(self.block[u] != self.block[v], u, v, gain)  # kind: 0 bonding, 1 bridging
        self._ties_changed()

    @staticmethod
    def _pairs(u: np.ndarray, v: np.ndarray, gain: np.ndarray | float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The pairs and their gains, self-pairs left out."""
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        keep = u != v
        gain = np.asarray(gain, dtype=float)
        if gain.ndim:
            gain = gain[keep]
        return u[keep], v[keep], gain

    def decay(self, bonding_rate: float, bridging_rate: float, linking_rates: np.ndarray, threshold: float, linking_threshold: float) -> None:
        """Weaken every tie by its rate (linking ties: one rate per institution) and drop ties below the thresholds."""
        self.ties.decay((bonding_rate, bridging_rate), threshold)
        self._ties_changed()
        self._decay_linking(linking_rates, linking_threshold)

    def strengthen_and_decay(self, u: np.ndarray, v: np.ndarray, gain: np.ndarray | float, bonding_rate: float, bridging_rate: float, linking_rates: np.ndarray, threshold: float, linking_threshold: float) -> None:
        """:meth:`strengthen`, then :meth:`decay`: the same numbers, in one pass over the ties."""
        u, v, gain = self._pairs(u, v, gain)
        self.ties.strengthen(self.block[u] != self.block[v], u, v, gain, (bonding_rate, bridging_rate), threshold)
        self._ties_changed()
        self._decay_linking(linking_rates, linking_threshold)

    def _decay_linking(self, rates: np.ndarray, threshold: float) -> None:
        self.linking *= 1.0 - np.asarray(rates)[None, :]
        np.copyto(self.linking, 0.0, where=self.linking < threshold)

    def cut(self, slots: np.ndarray) -> None:
        """Remove every tie of the residents in ``slots`` (they moved out)."""
        if len(slots) == 0:
            return
        self.ties.drop_residents(slots)
        self._ties_changed()
        self.linking[slots] = 0.0

    # -- reading --------------------------------------------------------------

    def _row_sums(self) -> tuple[np.ndarray, np.ndarray]:
        sums = self.ties.sums  # kept up to date by every change to the ties (sim/tie_matrix.py)
        return sums[: self.n], sums[self.n :]

    def bonding_strength(self) -> np.ndarray:
        """Sum of each resident's bonding tie strengths (do not modify the returned array)."""
        return self._row_sums()[0]

    def bridging_strength(self) -> np.ndarray:
        """Sum of each resident's bridging tie strengths (do not modify the returned array)."""
        return self._row_sums()[1]

    def linking_strength(self) -> np.ndarray:
        """Sum of each resident's linking tie strengths (all institutions)."""
        return row_totals(self.linking)

    def contact_sums(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Tie-weighted sums of ``x`` (one value per resident) over each resident's bonding contacts, and over their bridging contacts."""
        bonding, bridging = self._contact_sums(np.reshape(x, (1, self.n)))
        return bonding[0], bridging[0]

    def neighbour_means(self, *quantities: np.ndarray) -> tuple[np.ndarray, ...]:
        """Tie-weighted mean of each quantity (one value per resident) over each resident's contacts; own value if none."""
        own = np.array(quantities, dtype=float)
        bonding, bridging = self._contact_sums(own)
        total = bonding + bridging
        weight = self.bonding_strength() + self.bridging_strength()
        return tuple(np.where(weight > 0, total / np.maximum(weight, 1e-12), own))

    def contact_sums_of(self, quantities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`contact_sums` of several quantities at once: ``(k, n)`` in, bonding and bridging sums ``(k, n)`` each, in one pass over the ties."""
        return self._contact_sums(np.asarray(quantities, dtype=float))

    def _contact_sums(self, quantities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bonding and bridging sums of ``(k, n)`` quantities, each ``(k, n)``."""
        sums = self.ties.products(quantities)
        return sums[:, : self.n], sums[:, self.n :]

    def tie_count(self) -> int:
        """Number of undirected resident-resident ties."""
        return self.ties.tie_count()

    def to_networkx(self, institution_names: list[str], estate: np.ndarray | None = None) -> nx.Graph:
        """The network as a networkx graph: residents 0..n-1, institutions by name.

        Edges carry ``weight`` (strength) and ``kind`` (bonding, bridging or linking).
        """
        import networkx as nx
        import scipy.sparse as sp

        graph = nx.Graph()
        for i in range(self.n):
            graph.add_node(i, kind="resident", block=int(self.block[i]), estate=int(estate[i]) if estate is not None else 0)
        for name in institution_names:
            graph.add_node(name, kind="institution")
        for kind, matrix in (("bonding", self.bonding), ("bridging", self.bridging)):
            upper = sp.triu(matrix, k=1).tocoo()
            graph.add_edges_from(
                (int(a), int(b), {"weight": float(w), "kind": kind}) for a, b, w in zip(upper.row, upper.col, upper.data, strict=True)
            )
        rows, cols = np.nonzero(self.linking)
        graph.add_edges_from(
            (int(r), institution_names[c], {"weight": float(self.linking[r, c]), "kind": "linking"}) for r, c in zip(rows, cols, strict=True)
        )
        return graph


def generate(rng: np.random.Generator, block: np.ndarray, estate: np.ndarray, p, institutions: int) -> SocialNetwork:
    """A seeded random community network over the given blocks and estates.

    Each resident draws on average ``bonding_degree / 2`` partners in its own
    block and ``bridging_degree / 2`` in other blocks (mostly in its own
    estate), so mean degrees are about as declared (a little lower where two
    residents happen to draw each other and the ties merge). Vectorised: no
    Python loop over residents.
    """
    n = len(block)
    block = np.asarray(block, dtype=np.int64)
    estate = np.asarray(estate, dtype=np.int64)
    order = np.argsort(block, kind="stable")
    sizes = np.bincount(block)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    estate_order = np.argsort(estate, kind="stable")
    estate_sizes = np.bincount(estate)
    estate_starts = np.concatenate(([0], np.cumsum(estate_sizes)[:-1]))

    # Bonding: a uniformly random *other* member of the same block (skip own position).
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n) - starts[block[order]]
    u_bond = _repeat_draws(rng, n, p.bonding_degree / 2)
    size = sizes[block[u_bond]]
    r = np.floor(rng.random(len(u_bond)) * np.maximum(size - 1, 0)).astype(np.int64)
    r += r >= position[u_bond]
    has_partner = size > 1
    u_bond = u_bond[has_partner]
    v_bond = order[starts[block[u_bond]] + r[has_partner]]

    # Bridging: random residents of other blocks, in the same estate or anywhere.
    # A partner drawn from the resident's own block is drawn again (a few
    # rounds; any left after that, only possible in tiny communities, are dropped).
    u_bridge = _repeat_draws(rng, n, p.bridging_degree / 2)
    in_estate = rng.random(len(u_bridge)) < p.same_estate_bridging
    v_bridge = np.full(len(u_bridge), -1, dtype=np.int64)
    todo = np.arange(len(u_bridge))
    for _ in range(BRIDGING_REDRAWS):
        pick = rng.random(len(todo))
        who = u_bridge[todo]
        e_size = estate_sizes[estate[who]]
        local = estate_order[estate_starts[estate[who]] + np.minimum(np.floor(pick * e_size).astype(np.int64), e_size - 1)]
        anywhere = np.minimum(np.floor(pick * n).astype(np.int64), n - 1)
        partner = np.where(in_estate[todo], local, anywhere)
        cross = block[partner] != block[who]
        v_bridge[todo[cross]] = partner[cross]
        todo = todo[~cross]
        if len(todo) == 0:
            break
    found = v_bridge >= 0
    u_bridge, v_bridge = u_bridge[found], v_bridge[found]

    u = np.concatenate((u_bond, u_bridge))
    v = np.concatenate((v_bond, v_bridge))
    strength = np.concatenate((rng.uniform(0.3, 1.0, len(u_bond)), rng.uniform(0.2, 0.6, len(u_bridge))))
    network = SocialNetwork.from_pairs(block, u, v, strength, institutions)
    seed_linking(rng, network, p.initial_linking)
    return network


def _by_kind(block: np.ndarray, u: np.ndarray, v: np.ndarray, strength: np.ndarray | float) -> tuple[tuple, tuple]:
    """Pairs ``u[k]``-``v[k]`` with their strength, self-pairs dropped, split into same-block (bonding) and cross-block (bridging)."""
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    strength = np.broadcast_to(np.asarray(strength, dtype=float), u.shape)
    keep = u != v
    u, v, strength = u[keep], v[keep], strength[keep]
    same = block[u] == block[v]
    return (u[same], v[same], strength[same]), (u[~same], v[~same], strength[~same])


INITIAL_LINKING_STRENGTH = 0.3


def seed_linking(rng: np.random.Generator, network: SocialNetwork, share: float) -> None:
    """Give a random ``share`` of residents a tie to someone at the landlord (column 0)."""
    linked = rng.random(network.n) < share
    network.linking[linked, 0] = INITIAL_LINKING_STRENGTH


def _repeat_draws(rng: np.random.Generator, n: int, mean: float) -> np.ndarray:
    """Resident ids repeated ``floor(mean)`` or ``ceil(mean)`` times, averaging ``mean``."""
    whole = int(np.floor(mean))
    extra = rng.random(n) < (mean - whole)
    counts = whole + extra.astype(np.int64)
    return np.repeat(np.arange(n), counts)
