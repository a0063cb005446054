"""Reading a user's own network from a standard file (GraphML or an edge list).

Nodes become households in the order the file lists them. A node attribute
``block`` (and optionally ``estate``) places a household; without them,
households fill blocks in file order as for a generated community. An edge
attribute ``weight`` in (0, 1] gives the tie's strength (default 0.6).
Edge lists are whitespace-separated ``u v [weight]`` lines; ``#`` starts a comment.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.errors import UserError
from sim.parameters import PATH_LIMIT, shown

if TYPE_CHECKING:  # networkx (a tenth of a second) only when a network file is read: run.py check imports this module
    import networkx as nx

DEFAULT_STRENGTH = 0.6
EDGE_LIST_SUFFIXES = (".edgelist", ".edges", ".txt", ".csv", ".tsv")


def read_graph(path: Path, where: str) -> nx.Graph:
    """The graph in ``path`` (GraphML by ``.graphml``/``.xml``, otherwise an edge list)."""
    import networkx as nx

    try:
        found = path.is_file()
    except OSError:  # e.g. a name too long for the file system
        found = False
    if not found:
        raise UserError(f"{where}: network file {shown(str(path), PATH_LIMIT)} does not exist (accepted: a GraphML or edge-list file)")
    try:
        if path.suffix.lower() in (".graphml", ".xml"):
            graph = nx.read_graphml(path)
        elif path.suffix.lower() in EDGE_LIST_SUFFIXES:
            graph = _read_edge_list(path, "," if path.suffix.lower() == ".csv" else None, where)
        else:
            raise UserError(f"{where}: {shown(str(path), PATH_LIMIT)} has an unknown network format (accepted: .graphml, .xml, {', '.join(EDGE_LIST_SUFFIXES)})")
    except UserError:
        raise
    except Exception as error:  # networkx raises many types for a malformed file
        raise UserError(f"{where}: cannot read network file {shown(str(path), PATH_LIMIT)}: {error}") from None
    graph = nx.Graph(graph)  # undirected, no parallel edges
    if graph.number_of_nodes() < 2:
        raise UserError(f"{where}: network file {shown(str(path), PATH_LIMIT)} has fewer than 2 nodes (accepted: a network of households)")
    return graph


def _read_edge_list(path: Path, delimiter: str | None, where: str) -> nx.Graph:
    """An edge list of ``u v [weight]`` lines (the weight optional on each line)."""
    import networkx as nx

    graph = nx.Graph()
    with path.open(encoding="utf-8-sig") as handle:  # a byte-order mark (Windows editors) is not part of the first line
        for number, line in enumerate(handle, start=1):
            fields = [f.strip() for f in line.split("#", 1)[0].split(delimiter)]
            fields = [f for f in fields if f]
            if not fields:
                continue
            if len(fields) not in (2, 3):
                raise UserError(f"{where}: {shown(str(path), PATH_LIMIT)} line {number}: expected 'u v' or 'u v weight' (accepted: two node names and an optional weight)")
            attributes = {}
            if len(fields) == 3:
                try:
                    attributes["weight"] = float(fields[2])
                except ValueError:
                    raise UserError(f"{where}: {shown(str(path), PATH_LIMIT)} line {number}: weight {shown(fields[2])} is not a number (accepted: weights in (0, 1])") from None
            graph.add_edge(fields[0], fields[1], **attributes)
    return graph


def households_from_graph(graph: nx.Graph, block_size: int, blocks_per_estate: int, where: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Blocks, estates and tie pairs with strengths, from a loaded graph.

    Returns ``(block, estate, u, v, strength)`` with households numbered in node order.
    """
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    n = len(nodes)
    block = np.arange(n, dtype=np.int64) // block_size
    if all("block" in graph.nodes[node] for node in nodes):
        block = _integer_labels([graph.nodes[node]["block"] for node in nodes])
    estate = block // blocks_per_estate
    if all("estate" in graph.nodes[node] for node in nodes):
        estate = _integer_labels([graph.nodes[node]["estate"] for node in nodes])
    edges = list(graph.edges(data="weight", default=DEFAULT_STRENGTH))
    u = np.array([index[a] for a, _, _ in edges], dtype=np.int64)
    v = np.array([index[b] for _, b, _ in edges], dtype=np.int64)
    try:
        strength = np.array([float(w) for _, _, w in edges], dtype=float)
    except (TypeError, ValueError):
        raise UserError(f"{where}: an edge weight is not a number (accepted: weights in (0, 1])") from None
    if len(strength) and (not np.all(np.isfinite(strength)) or strength.min() <= 0 or strength.max() > 1):
        raise UserError(f"{where}: an edge weight lies outside (0, 1] (accepted: weights in (0, 1])")
    return block, estate, u, v, strength


def _integer_labels(labels: list) -> np.ndarray:
    """Labels (any hashable) as integers 0..k-1 in order of first appearance."""
    codes: dict = {}
    return np.array([codes.setdefault(label, len(codes)) for label in labels], dtype=np.int64)
