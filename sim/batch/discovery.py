"""Scenario discovery: under which conditions does a policy stop being the better one?

Over the parameter points of a batch (levers, uncertainties, or posterior
draws: whatever varies between its points), each point is a **case of
interest** when the question's condition holds there, read from the mean
over that point's seeds:

- a contrast ``A:B`` on an outcome: A's advantage over B, signed so that
  positive means A is better (``better(outcome) * (A - B)``), is below the
  threshold (0 by default: A does no better than B, the contrast reverses);
- ``--not-best A``: A is not the best of the batch's scenarios on the outcome.

Two views find where the cases sit, both from well-kept libraries:

- **PRIM** (the EMA Workbench's ``analysis.prim``; Friedman and Fisher 1999,
  Bryant and Lempert 2010): boxes over the parameters, peeled from the whole
  space, over the few parameters an extra-trees classifier scores highest
  (:data:`PRIM_DIMENSIONS`: two to six, the best kept). Each box has its *coverage* (the share of all cases inside it),
  *density* (the share of points inside it that are cases), *mass* (the share
  of all points inside it) and its restricted dimensions with quasi-p-values.
  The box chosen from a peeling trajectory is, among those restricting at
  most four parameters, the one with the highest coverage whose density
  reaches ``min_density`` (or, where cases are that
  common everywhere, halfway from their base rate to 1); where none does,
  the densest, and the text says the target was missed. Restrictions whose
  quasi-p-value is above 0.05 are dropped, least significant first, as long
  as the box keeps its density (:func:`prune`), and the box's statistics are
  recomputed on the data. Up to ``max_boxes`` boxes
  are found one after another, each from the points the earlier ones left.
- a **classification tree** (scikit-learn, depth 3, balanced classes, at least
  5% of the points in a leaf): the leaves that predict a case, as rules.

The result is written to ``FOLDER/discovery/<question>/``: ``discovery.md``
(a plain sentence per box and leaf), ``boxes.csv``, ``peeling_trajectory.csv``,
``tree.txt``, ``cases.csv`` (every point's parameters, contrast and case),
figures, and ``discovery.json``, which the folder's report.md reads into its
"Where the finding fails" section. Everything is deterministic: the same
folder and question give the same boxes and tree.
"""

from __future__ import annotations

import contextlib
import json
import logging
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import outcome_table
from sim.batch.results import Results
from sim.errors import UserError

MIN_DENSITY = 0.8
"""Density a PRIM box should reach (the share of its points that are cases)."""
MAX_BOXES = 3
MIN_COVERAGE = 0.1
"""A further box is kept only when it covers at least this share of the cases."""
TREE_DEPTH = 3


@dataclass(frozen=True)
class Question:
    """What counts as a case: ``a`` worse than ``b`` (below ``threshold``) on ``outcome``, or ``a`` not the best (``b`` is None)."""

    outcome: str
    a: str
    b: str | None = None
    threshold: float = 0.0

    @property
    def slug(self) -> str:
        if self.b is None:
            return f"{self.outcome}-{self.a}-not-best"
        return f"{self.outcome}-{self.a}-vs-{self.b}" + (f"-below-{self.threshold:g}" if self.threshold else "")

    def case_text(self) -> str:
        """What a case is, in words."""
        what = outcome_table.short(self.outcome)
        if self.b is None:
            return f"{self.a} is not the best scenario on {what}"
        if self.threshold == 0:
            return f"{self.a} does no better than {self.b} on {what}"
        return f"{self.a}'s advantage over {self.b} on {what} is below {outcome_table.change_text(self.outcome, self.threshold)}"


@dataclass
class Restriction:
    parameter: str
    low: float | None
    high: float | None
    p_value: float | None = None

    def text(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.parameter} is between {self.low:.3g} and {self.high:.3g}"
        if self.high is not None:
            return f"{self.parameter} is below {self.high:.3g}"
        return f"{self.parameter} is above {self.low:.3g}"


@dataclass
class Box:
    """A region of the parameter space where cases gather (a PRIM box or a tree leaf)."""

    method: str
    coverage: float
    density: float
    mass: float
    points: int
    restrictions: list[Restriction] = field(default_factory=list)
    met_density: bool = True

    def where(self) -> str:
        if not self.restrictions:
            return "everywhere in the ranges sampled"
        return "where " + " and ".join(r.text() for r in self.restrictions)


@dataclass
class Discovery:
    question: Question
    cases: int
    points: int
    parameters: list[str]
    boxes: list[Box]
    leaves: list[Box]
    tree_text: str = ""
    winners: dict[str, int] = field(default_factory=dict)
    """With ``--not-best``: at the cases, how often each other scenario is the best."""

    def sentences(self) -> list[str]:
        """One plain sentence per PRIM box and per tree leaf that predicts cases."""
        q = self.question
        lines = []
        if self.cases == 0:
            return [f"Nowhere in this batch: none of its {self.points} points is one where {q.case_text()}."]
        if self.cases == self.points:
            return [f"Everywhere in this batch: at all of its {self.points} points, {q.case_text()}."]
        if not self.boxes:
            lines.append(f"PRIM finds no region where {q.case_text()}: such points ({self.cases} of {self.points}) are spread over the ranges sampled.")
        for i, box in enumerate(self.boxes, 1):
            missed = "" if box.met_density else " (below the density target)"
            lines.append(f"PRIM box {i}: {q.case_text()} {box.where()}: coverage {box.coverage:.2f} (share of all such points inside), "
                         f"density {box.density:.2f} (share of the points inside that are such points){missed}; {box.mass:.0%} of all points.")
        for i, leaf in enumerate(self.leaves, 1):
            lines.append(f"Tree leaf {i}: {q.case_text()} {leaf.where()}: coverage {leaf.coverage:.2f}, density {leaf.density:.2f}; {leaf.mass:.0%} of all points.")
        if self.winners:
            ranked = sorted(self.winners.items(), key=lambda item: -item[1])
            lines.append(f"Where {q.a} is not the best, the best is " + ", ".join(f"{name} at {count} point{'s' if count != 1 else ''}" for name, count in ranked) + ".")
        return lines


def restricted(found: Discovery) -> list[str]:
    """The parameters some box or leaf restricts, in order of first mention."""
    names: list[str] = []
    for box in (*found.boxes, *found.leaves):
        names += [r.parameter for r in box.restrictions if r.parameter not in names]
    return names


def glossary(names: list[str]) -> list[str]:
    """What each parameter is, in the words of its declaration (``python run.py params``), with its unit."""
    from sim import catalogue

    declared = {f"{section.name}.{param.name}": param for section in catalogue.SECTIONS for param in section.params}
    lines = []
    for name in names:
        param = declared.get(name)
        lines.append(f"- `{name}`: {param.doc.strip()} ({param.unit})" if param is not None else f"- `{name}`")
    return lines


# -- the cases ----------------------------------------------------------------------------------------


def varied(results: Results) -> pd.DataFrame:
    """The parameters that vary between the batch's points: one row per point (index = point)."""
    table = pd.DataFrame(results.points)
    if table.empty:
        return table
    table.index.name = "point"
    numeric = table.select_dtypes(include=[np.number]).astype(float)
    return numeric.loc[:, numeric.nunique() > 1]


def point_means(results: Results, outcome: str) -> pd.DataFrame:
    """Mean of ``outcome`` at the final month over each point's seeds: rows = points, columns = scenarios."""
    finals = results.finals
    return finals.groupby(["point", "scenario"])[outcome].mean().unstack("scenario")


def cases(results: Results, question: Question, where: str = "discover") -> tuple[pd.DataFrame, pd.Series, np.ndarray]:
    """Each point's parameters, its signed contrast (or margin to the best), and whether it is a case."""
    if question.outcome not in results.outcomes:
        raise UserError(f"{where}: --outcome: {question.outcome!r} was not recorded in {results.folder} (accepted: {', '.join(results.outcomes)})")
    for name in (question.a, question.b):
        if name is not None and name not in results.scenarios:
            raise UserError(f"{where}: --contrast: {name!r} is not a scenario of {results.folder} (accepted: {', '.join(results.scenarios)})")
    x = varied(results)
    if x.shape[1] == 0:
        raise UserError(f"{where}: {results.folder}: its points do not vary any parameter (accepted: a batch with [levers], [uncertainties] or [posterior])")
    means = point_means(results, question.outcome)
    missing = [name for name in (question.a, question.b) if name is not None and name not in means.columns]
    if missing:
        raise UserError(f"{where}: {results.folder}: no finished run of {', '.join(missing)} yet "
                        "(accepted: a folder where both scenarios have finished runs; rerun its batch command to resume it)")
    sign = outcome_table.better(question.outcome)
    if question.b is not None:
        margin = sign * (means[question.a] - means[question.b])
        is_case = margin < question.threshold
    else:
        others = means.drop(columns=[question.a])
        margin = sign * means[question.a] - (sign * others).max(axis=1)
        is_case = margin < 0
    keep = margin.dropna().index.intersection(x.index)
    return x.loc[keep], margin.loc[keep].rename("margin"), is_case.loc[keep].to_numpy(dtype=bool)


def winners(results: Results, question: Question, points: pd.Index) -> dict[str, int]:
    """At ``points``, how many times each scenario is the best on the question's outcome."""
    means = point_means(results, question.outcome).loc[points] * outcome_table.better(question.outcome)
    return {str(name): int(count) for name, count in means.idxmax(axis=1).value_counts().items()}


# -- PRIM ---------------------------------------------------------------------------------------------


def _prim_module() -> Any:
    """The EMA Workbench's PRIM, imported quietly (it warns about optional parallel back ends it does not need here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim


SIGNIFICANCE = 0.05
"""A restriction with a quasi-p-value (Bryant and Lempert 2010) above this may be chance: :func:`prune` drops it where the box does not need it."""


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The EMA Workbench 3.0 still uses pandas idioms pandas 3 deprecates: not our warnings to act on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        yield


def _restrictions(limits: pd.DataFrame, initial: pd.DataFrame, p_values: Any) -> list[Restriction]:
    """Every restricted side of a box with its quasi-p-value (``p_values``: parameter -> [lower, upper], -1 where unrestricted)."""
    found = []
    for parameter in limits.columns:
        low, high = float(limits.loc[0, parameter]), float(limits.loc[1, parameter])
        low0, high0 = float(initial.loc[0, parameter]), float(initial.loc[1, parameter])
        sides = [float(v) for v in p_values.get(parameter, [-1, -1])] if isinstance(p_values, dict) else [-1.0, -1.0]
        if low > low0 or high < high0:
            known = [p for p, restricted in zip(sides, (low > low0, high < high0), strict=True) if restricted and p >= 0]
            found.append(Restriction(parameter, low if low > low0 else None, high if high < high0 else None, max(known) if known else None))
    return found


def _density(x: pd.DataFrame, y: np.ndarray, remaining: np.ndarray, restrictions: list[Restriction]) -> float:
    members = inside(x, restrictions) & remaining
    return float(y[members].mean()) if members.any() else 0.0


def prune(x: pd.DataFrame, y: np.ndarray, remaining: np.ndarray, restrictions: list[Restriction], target: float) -> list[Restriction]:
    """Drop restrictions whose quasi-p-value is above :data:`SIGNIFICANCE`, least significant first, while the box's density stays at ``target`` or more.

    A restriction that is not significant alone may still be needed with the
    others (the density falls without it): it stays, and its p-value is in
    ``boxes.csv`` for the reader to judge.
    """
    kept = list(restrictions)
    floor = min(target, _density(x, y, remaining, kept))
    for r in sorted(restrictions, key=lambda r: -(r.p_value if r.p_value is not None else -1.0)):
        if r.p_value is None or r.p_value <= SIGNIFICANCE:
            break
        trial = [k for k in kept if k is not r]
        if _density(x, y, remaining, trial) >= floor:
            kept = trial
    return kept


def inside(x: pd.DataFrame, restrictions: list[Restriction]) -> np.ndarray:
    """Which points lie inside a box."""
    mask = np.ones(len(x), dtype=bool)
    for r in restrictions:
        values = x[r.parameter].to_numpy()
        if r.low is not None:
            mask &= values >= r.low
        if r.high is not None:
            mask &= values <= r.high
    return mask


def target_density(y: np.ndarray, min_density: float) -> float:
    """The density a box must reach: ``min_density``, or halfway from the base rate to 1 where cases are already that common everywhere."""
    base = float(y.mean()) if len(y) else 0.0
    return max(min_density, base + (1.0 - base) / 2.0)


MAX_RESTRICTED = 4
"""A box reported restricts at most this many parameters: a condition a reader can hold in mind and act on
(Bryant and Lempert 2010 favour few); the whole trajectory is in ``peeling_trajectory.csv``."""


def choose(trajectory: pd.DataFrame, target: float) -> tuple[int, bool]:
    """The trajectory step to report: among steps restricting at most :data:`MAX_RESTRICTED` parameters,
    the highest coverage with density at least ``target``, else the densest."""
    readable = trajectory[trajectory["res_dim"] <= MAX_RESTRICTED]
    dense = readable[readable["density"] >= target]
    if len(dense):
        return int(dense.sort_values(["coverage", "density"], ascending=False).index[0]), True
    return int(readable["density"].idxmax()), False


PRIM_DIMENSIONS = (2, 3, 4, 5, 6)
"""PRIM peels over the ``k`` parameters an extra-trees classifier scores highest (as the EMA Workbench's
``feature_scoring`` does), for each ``k`` here, and the run whose first box covers most cases at the density
target is kept. Peeling every parameter of a space of a dozen or a hundred, sampled at a few hundred points,
restricts many of them by chance and leaves no readable box within :data:`MAX_RESTRICTED`; the tree sees every parameter."""


def important(x: pd.DataFrame, y: np.ndarray) -> list[str]:
    """Every varied parameter, from the best at separating cases from the rest to the worst (extra trees, fixed seed)."""
    if x.shape[1] <= 1:
        return list(x.columns)
    from sklearn.ensemble import ExtraTreesClassifier

    forest = ExtraTreesClassifier(n_estimators=250, min_samples_leaf=max(1, len(y) // 50), class_weight="balanced", random_state=0)
    forest.fit(x.to_numpy(), y)
    return [x.columns[i] for i in np.argsort(-forest.feature_importances_, kind="stable")]


def prim_boxes(x: pd.DataFrame, y: np.ndarray, min_density: float = MIN_DENSITY, max_boxes: int = MAX_BOXES) -> tuple[list[Box], list[pd.DataFrame]]:
    """PRIM boxes, with each box's whole peeling trajectory, over the best number of the most important parameters.

    The run kept is the one whose first box reaches the density target with
    the highest coverage (ties: fewer parameters); where none reaches it, the
    densest first box.
    """
    ranked = important(x, y)
    runs = [_prim_run(x[sorted(ranked[:k], key=list(x.columns).index)], y, min_density, max_boxes)
            for k in sorted({min(k, len(ranked)) for k in PRIM_DIMENSIONS})]
    runs = [run for run in runs if run[0]] or runs[:1]

    def merit(run: tuple[list[Box], list[pd.DataFrame]]) -> tuple[bool, float, float]:
        first = run[0][0]
        return (first.met_density, first.coverage if first.met_density else first.density, -len(first.restrictions))

    return max(runs, key=merit)


def _prim_run(x: pd.DataFrame, y: np.ndarray, min_density: float, max_boxes: int) -> tuple[list[Box], list[pd.DataFrame]]:
    """One PRIM over the parameters of ``x``.

    Each box's statistics are recomputed on the data after its restrictions
    that are not significant were dropped: coverage over all cases, density
    and mass over the points no earlier box holds. A box left with no
    significant restriction is no box: PRIM found no region.
    """
    prim = _prim_module()
    frame = x.reset_index(drop=True)
    with _quiet():
        finder = prim.Prim(frame, y.astype(int), peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05)
    target = target_density(y, min_density)
    boxes, trajectories = [], []
    total = int(y.sum())
    remaining = np.ones(len(y), dtype=bool)
    for _ in range(max_boxes):
        with _quiet():
            found = finder.find_box()
        if found is None:
            break
        trajectory = found.peeling_trajectory.reset_index(drop=True)
        step, met = choose(trajectory, target)
        restrictions = _restrictions(found.box_lims[step], finder.box_init, found.p_values[step] if step < len(found.p_values) else None)
        restrictions = prune(frame, y, remaining, restrictions, target)
        members = inside(frame, restrictions) & remaining
        k, n = int(y[members].sum()), int(members.sum())
        box = Box("prim", k / total if total else 0.0, k / n if n else 0.0, n / len(y), n, restrictions, met and (k / n if n else 0.0) >= target)
        if not restrictions or (boxes and (box.coverage < MIN_COVERAGE or not box.met_density)):
            break
        remaining &= ~members
        trajectories.append(trajectory.assign(box=len(boxes) + 1, chosen=trajectory.index == step))
        boxes.append(box)
    return boxes, trajectories


# -- the tree -----------------------------------------------------------------------------------------


def tree_leaves(x: pd.DataFrame, y: np.ndarray, depth: int = TREE_DEPTH) -> tuple[list[Box], str]:
    """Leaves of a classification tree that predict a case, as boxes; and the tree as text."""
    from sklearn.tree import DecisionTreeClassifier, export_text

    leaf_min = max(5, int(0.05 * len(y)))
    model = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf_min, class_weight="balanced", random_state=0)
    model.fit(x.to_numpy(), y)
    t = model.tree_
    names = list(x.columns)
    total = int(y.sum())
    leaf_of = model.apply(x.to_numpy())
    leaves: list[Box] = []

    def leaves_under(node: int) -> list[int]:
        if t.children_left[node] == -1:
            return [node]
        return leaves_under(t.children_left[node]) + leaves_under(t.children_right[node])

    def predicts_case(leaf: int) -> bool:
        members = leaf_of == leaf
        return bool(members.any()) and y[members].mean() > 0.5

    def walk(node: int, bounds: dict[str, list[float | None]]) -> None:
        under = leaves_under(node)
        if all(predicts_case(leaf) for leaf in under):  # one rule for a subtree whose every leaf says "case"
            members = np.isin(leaf_of, under)
            k, n = int(y[members].sum()), int(members.sum())
            rules = [Restriction(p, lo, hi) for p, (lo, hi) in bounds.items()]
            leaves.append(Box("tree", k / total if total else 0.0, k / n, n / len(y), n, rules))
            return
        if t.children_left[node] == -1:
            return
        name, cut = names[t.feature[node]], float(t.threshold[node])
        left = {**bounds, name: [bounds.get(name, [None, None])[0], cut]}
        right = {**bounds, name: [cut, bounds.get(name, [None, None])[1]]}
        walk(t.children_left[node], left)
        walk(t.children_right[node], right)

    walk(0, {})
    leaves.sort(key=lambda b: -b.coverage)
    return leaves, export_text(model, feature_names=names, class_names=["not a case", "case"])


# -- the whole -----------------------------------------------------------------------------------------


def discover(x: pd.DataFrame, y: np.ndarray, question: Question, min_density: float = MIN_DENSITY) -> tuple[Discovery, list[pd.DataFrame]]:
    """Both views over points ``x`` with cases ``y``."""
    cases_count = int(y.sum())
    boxes: list[Box] = []
    trajectories: list[pd.DataFrame] = []
    leaves: list[Box] = []
    text = ""
    if 0 < cases_count < len(y):
        boxes, trajectories = prim_boxes(x, y, min_density)
        leaves, text = tree_leaves(x, y)
    return Discovery(question, cases_count, len(y), list(x.columns), boxes, leaves, text), trajectories


def folder_for(results_folder: Path, question: Question) -> Path:
    return results_folder / "discovery" / question.slug


def write(results: Results, question: Question, min_density: float = MIN_DENSITY) -> tuple[Discovery, Path]:
    """Discover, and write every file of the result; returns it and its folder."""
    from sim.batch import discovery_figures
    from sim.output import write_csv, write_text

    x, margin, y = cases(results, question)
    found, trajectories = discover(x, y, question, min_density)
    if question.b is None and y.any():
        found.winners = winners(results, question, x.index[y])
    out = folder_for(results.folder, question)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    write_csv(out / "cases.csv", x.assign(margin=margin.to_numpy(), case=y).reset_index())
    rows = [{"method": b.method, "number": i, "coverage": b.coverage, "density": b.density, "mass": b.mass, "points": b.points,
             "met_density": b.met_density, "parameter": r.parameter, "low": r.low, "high": r.high, "p_value": r.p_value}
            for group in (found.boxes, found.leaves) for i, b in enumerate(group, 1) for r in (b.restrictions or [Restriction("", None, None)])]
    write_csv(out / "boxes.csv", pd.DataFrame(rows, columns=["method", "number", "coverage", "density", "mass", "points", "met_density", "parameter", "low", "high", "p_value"]))
    if trajectories:
        write_csv(out / "peeling_trajectory.csv", pd.concat(trajectories, ignore_index=True))
    write_text(out / "tree.txt", found.tree_text or "no tree: every point or no point is a case\n")
    figures = discovery_figures.write(found, trajectories, x, y, margin, out / "figures")
    write_text(out / "discovery.json", json.dumps({"question": asdict(question), "cases": found.cases, "points": found.points,
                                                    "parameters": found.parameters, "sentences": found.sentences(), "glossary": glossary(restricted(found)),
                                                    "min_density": min_density, "figures": [f"figures/{p.name}" for p in figures]}, indent=2) + "\n")
    write_text(out / "discovery.md", markdown(found, figures, min_density) + "\n")
    return found, out


def markdown(found: Discovery, figures: list[Path], min_density: float) -> str:
    q = found.question
    lines = [f"# Where {q.case_text()}", "",
             f"Of the batch's {found.points} parameter points, {found.cases} are such points (each read from the mean over its seeds). "
             f"Parameters that vary: {', '.join(f'`{p}`' for p in found.parameters)}.", ""]
    lines += [f"- {s}" for s in found.sentences()]
    if restricted(found):
        lines += ["", "The parameters named:", "", *glossary(restricted(found))]
    lines += ["", f"PRIM (EMA Workbench): the box chosen from each peeling trajectory is the one with the highest coverage whose density reaches {min_density:.0%}. "
              "A small quasi-p-value (in `boxes.csv`) says a restriction is unlikely to be chance. The classification tree (scikit-learn, depth 3) is a second view; "
              "where both agree on a parameter, the condition is more credible. `cases.csv` has every point.", ""]
    lines += [f"![{p.stem.replace('_', ' ')}](figures/{p.name})" for p in figures]
    if found.tree_text:
        lines += ["", "## The classification tree", "", "```", found.tree_text.rstrip(), "```"]
    return "\n".join(lines)


def report_lines(folder: Path) -> list[str]:
    """The "Where the finding fails" section of a folder's report.md, from every discovery written in it."""
    files = sorted((folder / "discovery").glob("*/discovery.json")) + sorted(folder.glob("*/discovery/*/discovery.json"))  # its own, then a companion batch's
    if not files:
        return []
    lines = ["", "## Where the finding fails", "",
             "Scenario discovery over this batch's parameter points (`python run.py discover`): the conditions under which a policy stops being the better one."]
    for path in files:
        data = json.loads(path.read_text())
        q = Question(**data["question"])
        relative = path.parent.relative_to(folder)
        batch = f" of the batch in `{relative.parts[0]}/`" if relative.parts[0] != "discovery" else ""
        lines += ["", f"### Where {q.case_text()}", "", f"{data['cases']} of {data['points']} parameter points{batch}. Details: `{relative}/discovery.md`.", ""]
        lines += [f"- {s}" for s in data["sentences"]]
        if data.get("glossary"):
            lines += ["", "The parameters named:", "", *data["glossary"], ""]
        lines += [f"![{Path(f).stem.replace('_', ' ')}]({relative}/{f})" for f in data.get("figures", [])[:2]]
    return lines
