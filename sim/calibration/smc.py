"""ABC-SMC with pyabc: a posterior sample of uniform-prior parameters from a simulator and targets with tolerances.

:func:`run` fits ``problem.simulator`` (a picklable function from a
parameters dict to a dict of summary statistics) to ``problem.targets``
(summary statistic -> value and tolerance), with every parameter uniform
over its ``(low, high)`` in ``problem.priors``, by pyabc's ABC-SMC
(Toni et al. 2009; Klinger et al. 2018): the first generation is a population
drawn from the prior; each later generation perturbs the last one (a multivariate
normal kernel with its weighted covariance: :func:`kernel`) and keeps candidates closer than the median
distance of the last generation (``sim.calibration.smc_distance``), weighted
by prior density over proposal density. It stops after ``generations``
generations, after the first generation whose epsilon is at most
``min_epsilon``, or after the first generation that brings the simulations
run to ``max_simulations`` or more, whichever comes first (each rule is a
function of the stored generations, so a resumed run stops where an
uninterrupted one does), and writes the last generation as
the posterior file (``sim.calibration.posterior``).

**The regression adjustment** (``adjust="linear"`` or ``"neural"``,
``sim.calibration.adjustment``): the last generation's accepted sets are
moved by a weighted regression of the parameters on their own simulations'
misses, read back from pyabc's database, to where those simulations would
have met the targets (the neural networks' starting weights from ``seed``). It runs no simulation and is not part of the stored
settings: a finished folder can be adjusted, or not, again.

**The simulator** is called with ``{parameter: float}`` in the priors'
order and returns at least the targets' statistics (any others are stored
in the database with them). It takes its randomness from numpy's global
random state (``np.random.*``, or a seed drawn from it for its own
generator), which is seeded for every candidate. A statistic that is NaN
marks a failed simulation, never accepted; an exception stops the run. It
must be picklable (a module-level function or object) for workers started
by spawn or forkserver (macOS, or a process running other threads).

**Reproducible.** Candidates are drawn and accepted by
``sim.calibration.smc_sampler.SeededSampler``: the same seed gives the same
posterior, bit for bit, on any number of workers.

**Resumable.** Every generation is stored in pyabc's database
(``smc.db`` in the folder) when it completes. Each generation is run by a
fresh ``ABCSMC`` object loaded from that database (``ABCSMC.load``), so an
uninterrupted run and one resumed after ``kill -9`` take literally the same
path from the stored generations: the kernel is fitted to the stored
population, the threshold is the median of its stored distances, and the
candidates' seeds depend only on ``(seed, generation, index)``. Rerunning
in the same folder continues from the last completed generation; a folder
that already reached the stopping rule just writes its posterior again, and
a smaller ``generations`` or larger ``min_epsilon`` gives the posterior of
the generation where that rule would have stopped. ``smc.json`` records the
settings the results depend on, and a rerun with different ones is refused
rather than mixed in.

**Ctrl-C** stops the simulations in progress and raises :class:`Interrupted`;
completed generations stay in the database.

**Progress**: a line per generation (epsilon, acceptance rate, effective
sample size, time elapsed and an estimate of the time left at the last
generation's pace), unless ``quiet``.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyabc

from sim.calibration import adjustment
from sim.calibration import posterior as posterior_file
from sim.calibration.posterior import WEIGHT, Posterior
from sim.calibration.smc_distance import ToleranceDistance, epsilon_for
from sim.calibration.smc_sampler import SeededSampler
from sim.errors import UserError

DATABASE = "smc.db"
SETTINGS = "smc.json"
RUN_ID = 1
"""The one ABC-SMC run in a folder's database."""


@dataclass(frozen=True)
class Problem:
    """What to fit: the simulator, the uniform priors and the targets."""

    simulator: Callable[[dict[str, float]], dict[str, Any]]
    priors: dict[str, tuple[float, float]]  # parameter -> (low, high)
    targets: dict[str, tuple[float, float]]  # summary statistic -> (value, tolerance)
    key: dict[str, Any] = field(default_factory=dict)
    """Anything else the simulations depend on (JSON): stored with the results and compared on resuming."""

    def distance(self) -> ToleranceDistance:
        """The calibration's distance to the targets (root mean square miss in tolerances)."""
        return ToleranceDistance({name: tolerance for name, (_, tolerance) in self.targets.items()})

    def latin_sets(self, n: int, seed: int, extra: int = 0) -> tuple[list[dict[str, float]], np.ndarray]:
        """``n`` parameter sets by Latin hypercube over the uniform priors, and ``extra`` more unit columns of the same hypercube (for studies that draw something beside them)."""
        from scipy.stats import qmc

        names = list(self.priors)
        low, high = (np.array([self.priors[name][i] for name in names]) for i in (0, 1))
        unit = qmc.LatinHypercube(d=len(names) + extra, seed=seed).random(n)
        values = low + unit[:, : len(names)] * (high - low)
        return [dict(zip(names, row.tolist(), strict=True)) for row in values], unit[:, len(names):]


class Interrupted(Exception):
    """Ctrl-C: the run stopped; ``generations`` completed generations are kept in ``folder``."""

    def __init__(self, folder: Path, generations: int):
        super().__init__(f"{folder}: interrupted after {generations} completed generation(s); run again with the same folder to resume")
        self.folder = folder
        self.generations = generations


class _Simulate:
    """The pyabc model: the simulator called with a plain dict, parameters in the priors' order (pyabc sorts them by name)."""

    def __init__(self, simulator: Callable[[dict[str, float]], dict[str, Any]], names: list[str]):
        self.simulator = simulator
        self.names = names

    def __call__(self, parameters: dict) -> dict[str, Any]:
        return self.simulator({name: float(parameters[name]) for name in self.names})


def run(problem: Problem, folder: str | Path, *, population_size: int, seed: int, generations: int | None = None,
        min_epsilon: float | None = None, max_simulations: int | None = None, workers: int = 1, ahead: int | None = None,
        quiet: bool = False, kernel_scale: float = 1.0, adjust: str = adjustment.NONE) -> Posterior:
    """Run (or resume) ABC-SMC in ``folder``; write and return the posterior (see the module docstring)."""
    _check(problem, population_size, generations, min_epsilon, kernel_scale)
    if adjust not in adjustment.METHODS:
        raise ValueError(f"adjust must be one of {adjustment.METHODS}, not {adjust!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    settings = _settings(problem, population_size, seed, kernel_scale)
    _claim(folder, settings)
    if "ABC_LOG_LEVEL" not in os.environ:
        logging.getLogger("ABC").setLevel(logging.WARNING)  # pyabc logs every generation at INFO; the progress lines say it once
    db = f"sqlite:///{(folder / DATABASE).resolve()}"
    sampler = SeededSampler(seed, workers, ahead)
    say = (lambda text: None) if quiet else (lambda text: print(text, flush=True))
    stored = _completed(db)
    if stored is not None and len(stored) and _stop_at(stored, generations, min_epsilon, max_simulations) is None:
        say(f"resuming after generation {len(stored)} in {folder}")
    try:
        while (last := _stop_at(stored, generations, min_epsilon, max_simulations)) is None:
            _one_generation(problem, population_size, sampler, db, first=0 if stored is None else len(stored), fresh=stored is None,
                            kernel_scale=kernel_scale)
            stored = _completed(db)
            assert stored is not None
            say(progress(stored, population_size, generations, min_epsilon, max_simulations, effective_size(db, len(stored) - 1)))
    except KeyboardInterrupt:
        stored = _completed(db)
        raise Interrupted(folder, 0 if stored is None else len(stored)) from None
    assert stored is not None
    result = _posterior(problem, settings, db, stored.iloc[: last + 1], adjust)
    posterior_file.write(result, folder)
    return result


def _check(problem: Problem, population_size: int, generations: int | None, min_epsilon: float | None, kernel_scale: float = 1.0) -> None:
    """Mistakes in how the engine is called (the calibration file's own checks come before)."""
    if not problem.priors or not problem.targets:
        raise ValueError("ABC-SMC needs at least one parameter and one target")
    for name, (low, high) in problem.priors.items():
        if name == WEIGHT or not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"parameter {name!r}: bounds ({low}, {high}) need low < high, both finite, and a name other than {WEIGHT!r}")
    for name, (_, tolerance) in problem.targets.items():
        if not tolerance > 0:
            raise ValueError(f"target {name!r}: tolerance {tolerance} must be positive")
    if population_size < 1:
        raise ValueError(f"population_size must be at least 1, not {population_size}")
    if generations is None and min_epsilon is None:
        raise ValueError("give generations, min_epsilon or both, so that the run stops")
    if generations is not None and generations < 1:
        raise ValueError(f"generations must be at least 1, not {generations}")
    if not (math.isfinite(kernel_scale) and kernel_scale > 0):
        raise ValueError(f"kernel_scale must be a positive number, not {kernel_scale}")


def _settings(problem: Problem, population_size: int, seed: int, kernel_scale: float = 1.0) -> dict[str, Any]:
    """Everything stored generations depend on besides the simulator's code, as JSON would read it back."""
    settings = {
        "parameters": [[name, low, high] for name, (low, high) in problem.priors.items()],
        "targets": [[name, value, tolerance] for name, (value, tolerance) in problem.targets.items()],
        "population_size": population_size,
        "seed": seed,
        "pyabc_version": pyabc.__version__,
        "kernel": kernel_name(kernel_scale),
        "key": problem.key,
    }
    return json.loads(json.dumps(settings))


def _claim(folder: Path, settings: dict[str, Any]) -> None:
    """Record the settings in a new folder, or check that a folder's stored run has the same ones."""
    path = folder / SETTINGS
    if not path.exists():
        if (folder / DATABASE).exists():
            raise UserError(f"{folder / DATABASE}: an ABC-SMC database without its {SETTINGS}, so it cannot be resumed safely (accepted: a new folder, or this one emptied)")
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, path)  # written before the database: a database never exists without its settings
        return
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UserError(f"{path}: cannot read the stored ABC-SMC settings ({error})") from None
    if stored != settings:
        changed = sorted(key for key in {*settings, *stored} if stored.get(key) != settings.get(key)) if isinstance(stored, dict) else ["all"]
        raise UserError(f"{path}: this folder holds an ABC-SMC run with other settings ({', '.join(changed)} differ), which cannot be continued "
                        "(accepted: the same settings to resume, or a new folder)")


def _completed(db: str) -> pd.DataFrame | None:
    """The completed generations (t, epsilon, samples, wall_time in seconds); None if no run is recorded yet.

    A run is recorded before its first generation completes, so an empty
    table means "continue the recorded run", and None "start one" (a new
    folder, or one whose process was killed before it recorded its run).
    """
    history = pyabc.History(db)
    if not history.all_runs():
        return None
    history.id = RUN_ID
    if history.max_t is None:  # killed between pyabc's two first commits: nothing was computed
        raise UserError(f"{db.removeprefix('sqlite:///')}: the run was stopped while it was being recorded, so it holds no generation "
                        "(accepted: delete this folder and start again)")
    frame = history.get_all_populations()
    frame = frame[frame["t"] >= 0]  # pyabc stores its settings as a "pre-population" at t = -1
    return frame.sort_values("t").reset_index(drop=True)[["t", "epsilon", "samples", "wall_time"]]


def _stop_at(stored: pd.DataFrame | None, generations: int | None, min_epsilon: float | None, max_simulations: int | None = None) -> int | None:
    """The generation the stopping rule stops at, if it has been reached."""
    if stored is None:
        return None
    spent = 0
    for t, epsilon, samples in zip(stored["t"], stored["epsilon"], stored["samples"], strict=True):
        spent += int(samples)
        if ((generations is not None and t + 1 >= generations) or (min_epsilon is not None and t > 0 and epsilon <= min_epsilon)
                or (max_simulations is not None and spent >= max_simulations)):
            return int(t)
    return None


def _one_generation(problem: Problem, population_size: int, sampler: SeededSampler, db: str, first: int, fresh: bool,
                    kernel_scale: float = 1.0) -> None:
    """Run generation ``first`` with a fresh ABCSMC object, loaded from the database unless ``fresh``."""
    names = list(problem.priors)
    observed = {name: value for name, (value, _) in problem.targets.items()}
    abc = pyabc.ABCSMC(
        models=pyabc.FunctionModel(_Simulate(problem.simulator, names), name="simulator"),
        parameter_priors=pyabc.Distribution(**{name: pyabc.RV("uniform", low, high - low) for name, (low, high) in problem.priors.items()}),
        distance_function=problem.distance(),
        population_size=population_size,
        transitions=kernel(kernel_scale, problem.priors),
        eps=epsilon_for(first),
        sampler=sampler,
    )
    if fresh:
        abc.new(db, observed)
    else:
        # The targets as given, not read back from the database, so that distances are computed from the same numbers.
        abc.load(db, RUN_ID, observed_sum_stat=observed)
    abc.run(max_nr_populations=1)


def kernel(scale: float = 1.0, box: dict[str, tuple[float, float]] | None = None) -> pyabc.MultivariateNormalTransition:
    """The perturbation kernel: a normal whose covariance is ``scale`` times the last generation's weighted covariance.

    pyabc's default shrinks the covariance by Silverman's bandwidth factor
    (about 0.7 squared for 200 particles in 15 dimensions) and shrinks it
    further as the effective sample size falls, which in many dimensions
    feeds on itself: a narrow kernel makes the importance weights uneven, the
    effective sample size falls, and the next kernel is narrower still. The
    first ABC-SMC calibration (15 parameters) fell to an effective sample
    size of 2 to 8 of 200 from its third generation. The covariance itself
    (``scale`` 1) slowed that but did not stop it: the weighted covariance
    of a population whose weights are uneven is itself narrow, and over 13
    generations the calibration's effective sample size fell from 77 to 4.
    Twice the covariance (Beaumont et al. 2009) keeps the proposal wide
    enough for the weights to stay even (docs/VALIDATION.md, section 4).
    The calibration file chooses (``kernel_scale``).

    With ``box`` (the uniform priors' bounds) the kernel draws again until
    its proposal is inside them, as pyabc would, only faster (:class:`_BoxKernel`).
    """
    if box is None:
        return pyabc.MultivariateNormalTransition(scaling=scale, bandwidth_selector=_no_bandwidth_factor)
    return _BoxKernel(box, scaling=scale, bandwidth_selector=_no_bandwidth_factor)


class _BoxKernel(pyabc.MultivariateNormalTransition):
    """pyabc's multivariate normal kernel, drawing again until the proposal is inside the uniform priors' box.

    pyabc draws a proposal from the kernel and, if its prior density is zero,
    draws again (``generate_valid_proposal``). Fifteen dimensions and a wide
    kernel put most proposals outside: at generation 10 of the calibration
    it took 73 draws for one inside, each a pandas Series, a ``Parameter``
    and fifteen scipy pdfs (0.67 ms), 49 ms a candidate, a fifth of a
    simulation (now 8 ms, and 2 with :meth:`_normal`). This loop makes the same draws from numpy's global state
    (``np.random.choice``, then ``np.random.multivariate_normal``, as pyabc's
    ``rvs_single``) and tests the box as scipy's uniform pdf does (zero
    unless ``0 <= (x - low) / (high - low) <= 1``), so it returns the same
    proposal, bit for bit, and pyabc's own test then passes at the first
    draw (so pyabc never has out-of-prior proposals to warn about). The density (``pdf``, in the importance weights) is unchanged: the
    untruncated normal, as before.

    ``np.random.multivariate_normal`` factors the covariance (an SVD) at
    every call: 6 of those 8 ms. :meth:`_normal` is its computation with the
    factor computed once (numpy's legacy generator, the one pyabc draws from,
    never changes; a test checks the draws are the same).
    """

    def __init__(self, box: dict[str, tuple[float, float]], **kwargs: Any):
        super().__init__(**kwargs)
        self.box = box

    def fit(self, X: pd.DataFrame, w: Any) -> None:
        super().fit(X, w)
        self._names = list(X.columns)
        self._low = np.array([self.box[name][0] for name in self._names])
        self._scale = np.array([self.box[name][1] - self.box[name][0] for name in self._names])  # as pyabc.RV("uniform", low, high - low)
        self._zeros = np.zeros(len(self._names))
        _, s, v = np.linalg.svd(self.cov.astype(np.double))
        self._factor = np.sqrt(s)[:, None] * v

    def _normal(self) -> np.ndarray:
        """``np.random.multivariate_normal(zeros, self.cov)``, step by step as numpy's legacy ``RandomState`` does it."""
        x = np.random.standard_normal([len(self._zeros)]).reshape(-1, len(self._zeros))
        x = np.dot(x, self._factor)
        x += self._zeros
        return x.reshape(len(self._zeros))

    def rvs_single(self) -> pyabc.Parameter:
        while True:
            index = np.random.choice(self._range, p=self.w, replace=True)
            perturbed = self._X_arr[index] + self._normal()
            standard = (perturbed - self._low) / self._scale
            if np.all((standard >= 0) & (standard <= 1)):  # NaN is outside, as for scipy
                return pyabc.Parameter(dict(zip(self._names, perturbed.tolist(), strict=True)))  # Python floats, as from pyabc's Series


def kernel_name(scale: float) -> str:
    """How the settings file names the kernel (the covariance itself keeps its first name, so older runs still resume)."""
    return "multivariate normal, weighted covariance" if scale == 1.0 else f"multivariate normal, {scale:g} x weighted covariance"


def _no_bandwidth_factor(effective_sample_size: float, dimension: int) -> float:
    """The kernel's covariance is the scaled weighted covariance itself (a module-level function: it must pickle)."""
    return 1.0


def _posterior(problem: Problem, settings: dict[str, Any], db: str, stored: pd.DataFrame, adjust: str = adjustment.NONE) -> Posterior:
    """The last of ``stored``'s generations as a posterior, regression-adjusted if ``adjust`` says so."""
    history = pyabc.History(db)
    history.id = RUN_ID
    last = int(stored["t"].iloc[-1])
    names = list(problem.priors)
    bounds = tuple(problem.priors[name] for name in names)
    if adjust != adjustment.NONE:
        accepted, importance, misses = accepted_sets(problem, db, last)
        draws, weights = adjustment.adjust(adjust, accepted, importance, misses, bounds, settings["seed"])
    else:
        frame, weights = history.get_distribution(m=0, t=last)
        draws = frame[names].to_numpy(dtype=float)
    return Posterior(
        names=tuple(names),
        bounds=bounds,
        draws=draws,
        weights=weights.astype(float),
        targets=tuple((name, value, tolerance) for name, (value, tolerance) in problem.targets.items()),
        epsilons=tuple(None if t == 0 else float(e) for t, e in zip(stored["t"], stored["epsilon"], strict=True)),
        simulations=tuple(int(s) for s in stored["samples"]),
        seed=settings["seed"],
        population_size=settings["population_size"],
        pyabc_version=settings["pyabc_version"],
        key=settings["key"],
        adjustment=adjust,
    )


def finished(problem: Problem, folder: str | Path, *, population_size: int, seed: int, kernel_scale: float = 1.0) -> tuple[str, int]:
    """The database of a calibration folder's ABC-SMC run of ``problem`` with these settings, and its last completed
    generation; a UserError if the folder holds none, or a run with other settings. Reads; writes nothing."""
    folder = Path(folder)
    if not (folder / DATABASE).is_file():
        raise UserError(f"{folder / DATABASE}: no calibration database (accepted: the smc folder of a folder python run.py calibrate --out wrote)")
    _claim(folder, _settings(problem, population_size, seed, kernel_scale))  # the database exists, so this only compares
    db = f"sqlite:///{(folder / DATABASE).resolve()}"
    stored = _completed(db)
    if stored is None or stored.empty:
        raise UserError(f"{folder / DATABASE}: no completed generation yet (accepted: a calibration run at least one generation long)")
    return db, int(stored["t"].iloc[-1])


def accepted_sets(problem: Problem, db: str, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Generation ``t``'s accepted sets (set x parameter, in the priors' order), their importance weights, and each
    one's own simulation's misses (set x target, in tolerances), in pyabc's particle order (as get_distribution gives it)."""
    history = pyabc.History(db)
    history.id = RUN_ID
    frame = history.get_population_extended(m=0, t=t).sort_index()
    misses = np.column_stack([(frame[f"sumstat_{name}"].to_numpy(dtype=float) - value) / tolerance
                              for name, (value, tolerance) in problem.targets.items()])
    return frame[[f"par_{name}" for name in problem.priors]].to_numpy(dtype=float), frame["w"].to_numpy(dtype=float), misses


def effective_size(db: str, t: int) -> float:
    """Kish's effective sample size of generation ``t``'s weights: how many equally weighted particles they are worth."""
    history = pyabc.History(db)
    history.id = RUN_ID
    return posterior_file.effective_size(history.get_weighted_distances(t=t)["w"].to_numpy(dtype=float))


def progress(stored: pd.DataFrame, population_size: int, generations: int | None, min_epsilon: float | None, max_simulations: int | None = None,
             effective: float | None = None) -> str:
    """One line on the last completed generation of ``stored``."""
    row = stored.iloc[-1]
    t = int(row["t"])
    # Counted from 1 here (pyabc counts from 0): "generation 4/4" is the last.
    of = f"/{generations}" if generations is not None else ""
    epsilon = " (the prior):" if t == 0 else f": epsilon {row['epsilon']:.3g}" + (f" (stop at {min_epsilon:g})" if min_epsilon is not None else "") + ","
    samples = int(row["samples"])
    elapsed = float(stored["wall_time"].sum())
    left = _generations_left(stored, generations, min_epsilon)
    seconds = None if not left else left * float(row["wall_time"])
    spent = int(stored["samples"].sum())
    budget = ""
    if max_simulations is not None:
        budget = f", {spent:,} of at most {max_simulations:,} simulations"
        # The budget caps the time left: at most the simulations left at this generation's pace, and one more generation;
        # once it is spent the run stops here, with nothing left.
        if spent >= max_simulations:
            seconds = None
        elif seconds is not None:
            seconds = min(seconds, max(float(row["wall_time"]), (max_simulations - spent) * float(row["wall_time"]) / samples))
    eta = "" if not seconds else f", about {_duration(seconds)} left"
    worth = "" if effective is None else f" (worth {effective:.0f} equally weighted)"
    return (f"generation {t + 1}{of}{epsilon} accepted {population_size:,} of {samples:,} ({population_size / samples:.1%}){worth}{budget}, "
            f"{_duration(elapsed)} elapsed{eta}")


def _generations_left(stored: pd.DataFrame, generations: int | None, min_epsilon: float | None) -> int | None:
    """Generations still to run: from the limit, and from how fast epsilon has been falling towards ``min_epsilon``."""
    done = len(stored)
    estimates = []
    if generations is not None:
        estimates.append(generations - done)
    epsilons = stored["epsilon"].to_numpy()
    if min_epsilon is not None and done >= 3 and 0 < epsilons[-1] < epsilons[-2]:
        ratio = epsilons[-2] / epsilons[-1]  # the first generation (the prior) has no epsilon, so two later ones are needed
        estimates.append(max(0, math.ceil(math.log(max(epsilons[-1] / min_epsilon, 1.0)) / math.log(ratio))))
    return min(estimates) if estimates else None


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
