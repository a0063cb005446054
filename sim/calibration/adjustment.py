"""Regression adjustment of an ABC posterior (Beaumont, Zhang and Balding 2002).

ABC accepts parameter sets whose simulations come *near* the figures, within
a threshold epsilon, not *at* them. When epsilon is large against how much
the figures vary with the parameters, the accepted sets are those of figures
anywhere in that ball: the posterior is too wide, and where the model's
response is lopsided its centre is off too (the calibration of 2026-12-02
stopped at epsilon 4.7 tolerances, and its posterior predictive check missed
TP01 dissatisfied by 5.5 points and TP09 by 4.7).

The adjustment uses what every accepted set's own simulation says. Within
the accepted ball, regress the parameters on the simulated figures' misses
``s - s_obs`` (in tolerances, as the distance measures them), by weighted
least squares; then move each accepted set by the regression to where it
would be had its simulation hit the figures exactly:
``theta* = theta - (s - s_obs) beta``. The residuals are kept, so the
posterior's spread that the figures do not explain stays.

As the R package ``abc`` does by default for ``loclinear`` (Csillery et al.
2012):

- **Bounded parameters on the logit scale.** Each parameter is mapped from
  its uniform prior's ``(low, high)`` to the real line before the
  regression and back after, so an adjusted set never leaves its prior.
- **Epanechnikov weights.** Each set's weight is its importance weight (an
  SMC generation's) times ``1 - (d / h)^2``, ``d`` its distance and ``h``
  the largest distance accepted: the regression trusts the sets nearest
  the figures most, and the farthest weighs nothing.

``linear`` assumes the parameters' response is roughly linear within the
ball and its residual spread the same across it (no heteroscedastic
correction). ``neural`` (Blum and Francois 2010, abc's ``neuralnet``) drops
both assumptions: the regression is an average of small neural networks,
and each set's residual is rescaled by how widely the parameters vary where
its simulation landed, against where the figures are. With 200 accepted
sets in sixteen dimensions it has little to learn from, so which method
suits a calibration is an empirical question: :func:`cross_validation`
answers it from the accepted sets alone (experiments/adjustment_choice.py).
The posterior predictive check on fresh seeds shows whether the choice
held: it runs the adjusted sets again, and the report says how near they
come.
"""

from __future__ import annotations

import numpy as np

LINEAR = "linear"
NEURAL = "neural"
NONE = "none"
METHODS = (NONE, LINEAR, NEURAL)
DESCRIPTION = {
    LINEAR: "local linear regression on the logit scale, Epanechnikov weights (Beaumont, Zhang and Balding 2002)",
    NEURAL: ("non-linear heteroscedastic regression on the logit scale (an average of 10 small neural networks for the mean "
             "and 10 for the log variance), Epanechnikov weights (Blum and Francois 2010)"),
}
NETS = 10
"""Networks averaged for each of the mean and the log variance (the R package abc's ``numnet``)."""
HIDDEN = 5
"""Hidden units per network (abc's ``sizenet``)."""
DECAYS = (1e-4, 1e-3, 1e-2)
"""Weight decay, one drawn per network (abc's ``lambda``)."""
MAX_ITERATIONS = 500
"""Optimiser iterations per network (abc's ``maxit``)."""
EDGE = 1e-9
"""How near a prior bound a draw is taken on the logit scale (a uniform draw exactly at a bound would map to infinity)."""


def linear(draws: np.ndarray, weights: np.ndarray, misses: np.ndarray, bounds: tuple[tuple[float, float], ...]) -> tuple[np.ndarray, np.ndarray]:
    """Adjusted draws and their weights (summing to 1), from accepted ``draws`` (set x parameter), their importance
    ``weights`` and their simulations' ``misses`` (set x target, ``(simulated - value) / tolerance``)."""
    ball = _Ball(draws, weights, misses, bounds)
    design = np.column_stack([np.ones(len(ball.misses)), ball.misses])
    root = np.sqrt(ball.w)[:, None]
    beta, *_ = np.linalg.lstsq(design * root, ball.logit * root, rcond=None)
    return ball.back(ball.logit - ball.misses @ beta[1:]), ball.w / ball.w.sum()


def neural(draws: np.ndarray, weights: np.ndarray, misses: np.ndarray, bounds: tuple[tuple[float, float], ...], *,
           nets: int = NETS, hidden: int = HIDDEN, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`linear`, with the regression a small neural network and the residuals rescaled (Blum and Francois 2010).

    The parameters' conditional mean ``m(s)`` and the log of their residuals'
    variance ``v(s)`` are each the average of ``nets`` networks (one hidden
    layer of ``hidden`` logistic units, weight decay drawn from 1e-4, 1e-3,
    1e-2 per network, as the R package ``abc`` does), fitted by weighted
    least squares on the standardised misses; each set moves to
    ``m(0) + (theta - m(s)) * exp((v(0) - v(s)) / 2)``. A set whose
    simulation missed where the parameters vary more keeps less of its
    residual. ``seed`` fixes the networks' starting weights.
    """
    ball = _Ball(draws, weights, misses, bounds)
    fitted = ball.w > 0
    centre, scale = _weighted_moments(ball.logit[fitted], ball.w[fitted])
    shared = scale == 0  # a parameter every weighted set shares: nothing to learn, left where it is
    scale = np.where(shared, 1.0, scale)
    target = (ball.logit - centre) / scale
    spread = _weighted_moments(ball.misses[fitted], ball.w[fitted])[1]
    inputs = ball.misses / np.where(spread > 0, spread, 1.0)
    origin = np.zeros((1, inputs.shape[1]))
    rng = np.random.default_rng(seed)
    mean_at, mean_origin = _ensemble(inputs, target, ball.w, fitted, origin, nets, hidden, rng)
    residual = target - mean_at
    log_variance = np.log(np.maximum(residual**2, np.finfo(float).tiny))
    var_at, var_origin = _ensemble(inputs, log_variance, ball.w, fitted, origin, nets, hidden, rng)
    adjusted = mean_origin + residual * np.exp((var_origin - var_at) / 2.0)
    adjusted[:, shared] = target[:, shared]
    return ball.back(centre + adjusted * scale), ball.w / ball.w.sum()


def adjust(method: str, draws: np.ndarray, weights: np.ndarray, misses: np.ndarray, bounds: tuple[tuple[float, float], ...],
           seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The accepted sets adjusted by ``method`` (LINEAR or NEURAL), and their weights; ``seed``: the networks' starting weights."""
    if method == LINEAR:
        return linear(draws, weights, misses, bounds)
    if method == NEURAL:
        return neural(draws, weights, misses, bounds, seed=seed)
    raise ValueError(f"no adjustment method {method!r} (accepted: {LINEAR!r}, {NEURAL!r})")


def cross_validation(draws: np.ndarray, weights: np.ndarray, misses: np.ndarray, bounds: tuple[tuple[float, float], ...],
                     methods: tuple[str, ...] = METHODS, held_out: int = 50, seed: int = 0) -> dict[str, np.ndarray]:
    """Each method's prediction error per parameter, by leaving accepted sets out (``cv4abc`` of Csillery et al. 2012).

    ``held_out`` accepted sets (the heaviest by weight, so each had a real
    chance of acceptance) each play the figures in turn: the others' misses
    are measured from its simulation, the method estimates the parameters
    from them (the weighted posterior mean), and the error against the set's
    own parameters is summed. Per parameter, ``sum (estimate - true)^2 /
    (held_out * weighted variance of the accepted sets)``: below 1, the
    method estimates better than the accepted sets' mean does. ``seed``: the
    neural networks' starting weights.
    """
    draws, misses, weights = (np.asarray(a, dtype=float) for a in (draws, misses, weights))
    chosen = np.argsort(-weights, kind="stable")[:held_out]
    _, sd = _weighted_moments(draws, weights)
    errors = {method: np.zeros(draws.shape[1]) for method in methods}
    for i in chosen:
        rest = np.arange(len(draws)) != i
        moved = misses[rest] - misses[i]
        for method in methods:
            if method == NONE:
                estimate = weights[rest] @ draws[rest] / weights[rest].sum()
            else:
                adjusted, w = adjust(method, draws[rest], weights[rest], moved, bounds, seed)
                estimate = w @ adjusted
            errors[method] += (estimate - draws[i]) ** 2
    return {method: error / (len(chosen) * np.where(sd > 0, sd, 1.0) ** 2) for method, error in errors.items()}


class _Ball:
    """The accepted sets on the logit scale, with their kernel-times-importance weights ``w``."""

    def __init__(self, draws, weights, misses, bounds):
        draws = np.asarray(draws, dtype=float)
        misses = np.asarray(misses, dtype=float)
        if draws.ndim != 2 or misses.ndim != 2 or len(draws) != len(misses) or len(weights) != len(draws):
            raise ValueError("draws, weights and misses need one row per accepted set")
        if not np.all(np.isfinite(misses)):
            raise ValueError("an accepted set has a missing figure: a regression adjustment needs every accepted simulation's figures")
        distances = np.sqrt(np.mean(misses**2, axis=1))
        widest = distances.max()
        kernel = 1.0 - (distances / widest) ** 2 if widest > 0 else np.ones(len(distances))
        self.w = np.asarray(weights, dtype=float) * kernel
        if np.count_nonzero(self.w > 0) <= misses.shape[1] + 1:
            raise ValueError(f"{np.count_nonzero(self.w > 0)} weighted sets cannot fit a regression on {misses.shape[1]} figures "
                             "(accepted: a population larger than the figures plus two)")
        self.misses = misses
        self.low, self.high = (np.array([b[i] for b in bounds]) for i in (0, 1))
        unit = np.clip((draws - self.low) / (self.high - self.low), EDGE, 1.0 - EDGE)
        self.logit = np.log(unit) - np.log1p(-unit)

    def back(self, adjusted: np.ndarray) -> np.ndarray:
        """From the logit scale to the prior's."""
        unit = 1.0 / (1.0 + np.exp(-adjusted))
        # On the logit scale an adjusted value is finite, but back on the prior's scale it may round onto a bound: keep it inside.
        return np.clip(self.low + unit * (self.high - self.low), self.low, self.high)


def _weighted_moments(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean and standard deviation of each column."""
    w = weights / weights.sum()
    mean = w @ values
    return mean, np.sqrt(w @ (values - mean) ** 2)


def _ensemble(inputs, outputs, w, fitted, origin, nets, hidden, rng):
    """The average of ``nets`` networks' predictions at ``inputs`` and at ``origin``, each fitted on the ``fitted`` rows."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    at, there = np.zeros_like(outputs), np.zeros((1, outputs.shape[1]))
    for _ in range(nets):
        net = MLPRegressor(hidden_layer_sizes=(hidden,), activation="logistic", solver="lbfgs", max_iter=MAX_ITERATIONS,
                           alpha=float(rng.choice(DECAYS)), random_state=int(rng.integers(2**31)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a capped fit, as nnet's maxit: the decay keeps it smooth
            net.fit(inputs[fitted], outputs[fitted] if outputs.shape[1] > 1 else outputs[fitted, 0], sample_weight=w[fitted])
        at += net.predict(inputs).reshape(outputs.shape)
        there += net.predict(origin).reshape(1, -1)
    return at / nets, there / nets
