"""Population uniqueness: how many people of the population are unique on the quasi-identifiers.

The table is a sample of a population of ``N`` people (sampling fraction f = n / N).  Four
estimates of the share of population uniques, as ARX 3.9 computes them
(``RiskModelPopulationUniqueness``): Pitman's and the SNB models (maximum likelihood, solved
with Newton–Raphson), Zayatz's model (closed form), and Dankar et al.'s decision rule that
picks one of them.  A model whose equations cannot be solved gives no estimate, and says so.

Solver (ARX 3.9's ``ARXSolverConfiguration`` defaults and its ``NewtonRaphson2D``):
Newton–Raphson from the model's own start (for Pitman, the moment estimate), stopping when
both equations are within 1e-6 of 0.  A try ends when a step leaves the model's constraint
(Pitman: θ ≥ 0), gives NaN, or takes more than 1,000 iterations; the next try starts from the
next of ARX's 16 prepared start values, the grid {0, 0.33, 0.66, 0.99}² in order (θ first).
ARX gives up as soon as the last grid point has been taken and stepped once, so that point is
only checked as it is.  Nothing is random: the same table gives the same estimate, as in ARX
(whose solver is deterministic by default).  The total budget is ARX's (16 + 1) × 1,000
evaluations; ARX's per-try and total time limits (0.1 s, 1 s) are not applied: the iteration
limits alone bound the work, deterministically.

References
----------
N. Hoshino, "Applying Pitman's sampling formula to microdata disclosure risk assessment",
Journal of Official Statistics 17(4), 2001.
L. Zayatz, "Estimation of the percent of unique population elements on a microdata file
using the sample", Statistical Research Division Report RR91/08, US Bureau of the Census, 1991.
G. Chen, S. Keller-McNulty, "Estimation of identification disclosure risk in microdata",
Journal of Official Statistics 14(1), 1998 (the shifted negative binomial, SNB, model).
P. J. Haas, J. F. Naughton, S. Seshadri, L. Stokes, "Sampling-based estimation of the number
of distinct values of an attribute", VLDB 1995 (Shlosser's estimator, variant Sh3).
F. K. Dankar, K. El Emam, A. Neisa, T. Roffey, "Estimating the re-identification risk of
clinical data sets", BMC Medical Informatics and Decision Making 12:66, 2012.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._common import ClassHistogram
from .regions import Population

PITMAN, ZAYATZ, SNB = "pitman", "zayatz", "snb"
NOT_CONVERGED = "did not converge"

System = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


#: ARX's prepared start values (``ARXSolverConfiguration.getDefaultStartValues``): each
#: coordinate runs 0, 0.33, 0.66, 0.99 (adding 0.33 while below 1), the first one outermost
START_GRID = np.array([[x, y] for x in (0.0, 0.33, 0.66, 0.99) for y in (0.0, 0.33, 0.66, 0.99)])
START_GRID.flags.writeable = False


@dataclass(frozen=True)
class SolverSettings:
    """Newton–Raphson settings (ARX's defaults, with its prepared start values)."""

    accuracy: float = 1e-6
    iterations_per_try: int = 1000
    #: ARX's 10,000, raised by ``NewtonRaphson2D.configure`` to (16 + 1) × the iterations per
    #: try when prepared start values are used, as they are by default
    iterations_total: int = 17000
    #: solve ARX 3.9's SNB equations instead of the published ones (see :func:`snb`)
    snb_as_arx: bool = False


@dataclass(frozen=True)
class PopulationUniqueness:
    """Estimated share of the population that is unique on the quasi-identifiers.

    ``pitman``, ``zayatz``, ``snb`` and ``dankar`` are shares of the population (0–1), or
    ``None`` when the model gives no estimate (``unavailable`` says why).  ``dankar_model``
    names the model Dankar's rule used (``None`` when the sample has no unique record: then
    no model is needed and every estimate is 0).
    """

    population_size: int
    region: str | None
    sampling_fraction: float
    pitman: float | None
    zayatz: float | None
    snb: float | None
    dankar: float | None
    dankar_model: str | None
    unavailable: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"pitman": self.pitman, "zayatz": self.zayatz, "snb": self.snb, "dankar": self.dankar,
                "dankar_model": self.dankar_model, "population_size": self.population_size,
                "region": self.region, "sampling_fraction": self.sampling_fraction,
                "unavailable": dict(self.unavailable)}


# -- the solver ----------------------------------------------------------------------------
def newton_2d(system: System, start, settings: SolverSettings = SolverSettings(),
              constraint: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray | None:
    """Solve two equations in two unknowns with Newton–Raphson, as ARX's ``NewtonRaphson2D``.

    Parameters
    ----------
    system
        Maps points ``x`` (shape (k, 2)) to the equations' values (k, 2) and their Jacobians
        (k, 2, 2); vectorized so that the tries run side by side.
    start
        The first starting point; the later tries start from :data:`START_GRID`, in order.
    constraint
        Maps points to a boolean per point; a step leaving it ends the try.

    Returns
    -------
    The first solution found (tries in order, as if run one after another within the
    iteration budget), or ``None`` when none converged.
    """
    starts = np.vstack([np.asarray(start, dtype=float)[None, :], START_GRID])
    # ARX stops once the last prepared value has been taken and stepped from: one evaluation
    limits = np.full(len(starts), settings.iterations_per_try)
    limits[-1] = -1
    solutions, evaluations = _tries(system, starts, limits, settings, constraint, settings.iterations_total)
    # try k starts only if the tries before it used at most the budget (ARX runs them one by one)
    started = np.concatenate([[0], np.cumsum(evaluations)[:-1]]) <= settings.iterations_total
    found = np.flatnonzero(started & ~np.isnan(solutions).any(axis=1))
    return solutions[found[0]] if len(found) else None


def _tries(system: System, starts: np.ndarray, limits: np.ndarray, settings: SolverSettings, constraint,
           budget: int) -> tuple[np.ndarray, np.ndarray]:
    """Run independent tries in lockstep; per try: its solution (NaN if none) and evaluations.

    Try k fails after a step when it has taken more than ``limits[k]`` steps before it.  It
    may start only while the tries before it used at most ``budget`` evaluations; a try that
    can no longer start is dropped as soon as that is known (the counts only grow).
    """
    count = len(starts)
    solutions = np.full((count, 2), np.nan)
    evaluations = np.zeros(count, dtype=np.int64)
    index = np.arange(count)              # the tries still running, and their state:
    x = starts.astype(float, copy=True)
    steps = np.zeros(count, dtype=np.int64)
    spent = 0
    with np.errstate(all="ignore"):
        while len(index):
            values, jacobian = system(x)
            evaluations[index] += 1
            spent += len(index)
            done = (np.abs(values[:, 0]) <= settings.accuracy) & (np.abs(values[:, 1]) <= settings.accuracy)
            solutions[index[done]] = x[done]
            # x ← x − J⁻¹·f with the 2×2 inverse written out (a singular J gives NaN: the try ends)
            j00, j01, j10, j11 = jacobian[:, 0, 0], jacobian[:, 0, 1], jacobian[:, 1, 0], jacobian[:, 1, 1]
            det = j00 * j11 - j01 * j10
            moved = np.empty_like(x)
            moved[:, 0] = x[:, 0] - (j11 * values[:, 0] - j01 * values[:, 1]) / det
            moved[:, 1] = x[:, 1] - (j00 * values[:, 1] - j10 * values[:, 0]) / det
            failed = np.isnan(moved).any(axis=1) | (steps > limits[index])
            if constraint is not None:
                failed |= ~constraint(moved)
            going = ~(done | failed)
            index, x, steps = index[going], moved[going], steps[going] + 1
            if spent > budget:  # some tries may no longer be able to start
                startable = (np.cumsum(evaluations) - evaluations)[index] <= budget
                index, x, steps = index[startable], x[startable], steps[startable]
    return solutions, evaluations


def _trigamma(x):
    """ψ₁(x) = Σₖ 1/(x+k)² (scipy's Hurwitz ζ(2, x)).

    For x < 0 the reflection ψ₁(x) = π²/sin²(πx) − ψ₁(1−x): scipy sums the series term by
    term there, which takes seconds for the large negative arguments a diverging Newton step
    can produce.
    """
    from scipy import special  # scipy loads on first use: importing it takes a noticeable time

    x = np.asarray(x, dtype=float)
    negative = x < 0
    if not negative.any():
        return special.zeta(2.0, x)
    mirrored = np.where(negative, 1.0 - x, x)
    value = special.zeta(2.0, mirrored)
    return np.where(negative, (np.pi / np.sin(np.pi * x)) ** 2 - value, value)


# -- Pitman -----------------------------------------------------------------------------------
def pitman_system(histogram: ClassHistogram) -> System:
    """Score equations of Pitman's sampling formula and their Jacobian (Hoshino 2001).

    With u classes in n records and c_j classes of size j, the log-likelihood is
    Σ_{i<u} log(θ + iα) − Σ_{i<n} log(θ + i) + Σ_j c_j Σ_{l<j} log(l − α); its partial
    derivatives are written with the digamma ψ and trigamma ψ₁ functions.
    """
    from scipy import special

    n, u = float(histogram.records), float(histogram.classes)
    multi = histogram.sizes != 1
    sizes = histogram.sizes[multi].astype(float)[None, :]
    counts = histogram.counts[multi].astype(float)[None, :]

    def system(x: np.ndarray):
        t, a = x[:, 0], x[:, 1]
        ratio = t / a
        psi_u, psi_1 = special.digamma(u + ratio), special.digamma(ratio + 1.0)
        tri_u, tri_1 = _trigamma(u + ratio), _trigamma(ratio + 1.0)
        # Σ_{i=1}^{u-1} 1/(θ+iα), Σ i/(θ+iα), and their derivatives
        s1 = (psi_u - psi_1) / a
        s2 = ((u - 1.0) * a - t * (psi_u - psi_1)) / (a * a)
        q1 = (tri_1 - tri_u) / (a * a)                                      # Σ 1/(θ+iα)²
        q2 = (a * (psi_u - psi_1) - t * (tri_1 - tri_u)) / a ** 3           # Σ i/(θ+iα)²
        q3 = ((u - 1.0) * a * a - 2.0 * a * t * (psi_u - psi_1) + t * t * (tri_1 - tri_u)) / a ** 4  # Σ i²/(θ+iα)²
        # Σ_{i=1}^{n-1} 1/(θ+i) and Σ 1/(θ+i)²
        r1 = special.digamma(n + t) - special.digamma(t + 1.0)
        r2 = _trigamma(t + 1.0) - _trigamma(n + t)
        # Σ_j c_j Σ_{l=1}^{j-1} 1/(l−α) and Σ 1/(l−α)²
        column = a[:, None]
        h1 = (counts * (special.digamma(sizes - column) - special.digamma(1.0 - column))).sum(axis=1)
        h2 = (counts * (_trigamma(1.0 - column) - _trigamma(sizes - column))).sum(axis=1)
        values = np.empty((len(x), 2))
        values[:, 0] = s1 - r1
        values[:, 1] = s2 - h1
        jacobian = np.empty((len(x), 2, 2))
        jacobian[:, 0, 0] = r2 - q1
        jacobian[:, 0, 1] = jacobian[:, 1, 0] = -q2
        jacobian[:, 1, 1] = -q3 - h2
        return values, jacobian

    return system


def pitman_start(histogram: ClassHistogram) -> np.ndarray:
    """ARX's starting point (θ, α) for Pitman's model, from the counts of classes of size 1 and 2."""
    # numpy floats: a zero denominator gives ±inf or NaN, as Java's doubles do (then the
    # first try fails at once and the start grid takes over), not a ZeroDivisionError
    n, u = np.float64(histogram.records), np.float64(histogram.classes)
    c1 = np.float64(histogram.classes_of_size(1))
    c2 = np.float64(histogram.classes_of_size(2)) or np.float64(1.0)  # none of size 2: overestimate, as ARX
    with np.errstate(all="ignore"):
        c = c1 * (c1 - 1.0) / c2
        theta = (n * u * c - c1 * (n - 1.0) * (2.0 * u + c)) / (2.0 * c1 * u + c1 * c - n * c)
        alpha = (theta * (c1 - n) + (n - 1.0) * c1) / (n * u)
    return np.array([theta, alpha])


def pitman(histogram: ClassHistogram, population_size: int, settings: SolverSettings = SolverSettings()) -> float | None:
    """Estimated number of population uniques under Pitman's model, or ``None``.

    Solves the maximum-likelihood equations for (θ, α) with θ ≥ 0, then estimates the
    number of uniques as Γ(θ+1)/Γ(θ+α)·N^α (Hoshino 2001, eq. 5.4), kept when it lies in
    [0, N] (as ARX, the larger of the log-gamma and the gamma forms when both are finite).
    """
    solution = newton_2d(pitman_system(histogram), pitman_start(histogram), settings,
                         constraint=lambda x: x[:, 0] >= 0)
    if solution is None:
        return None
    theta, alpha = solution
    if alpha == 0:
        return None
    from scipy import special

    size = float(population_size)
    with np.errstate(all="ignore"):
        via_log = np.exp(special.gammaln(theta + 1.0) - special.gammaln(theta + alpha)) * size ** alpha
        direct = special.gamma(theta + 1.0) / special.gamma(theta + alpha) * size ** alpha
    valid = [float(v) for v in (via_log, direct) if np.isfinite(v) and 0.0 <= v <= size]
    return max(valid) if valid and max(valid) != 0 else None


# -- Zayatz -----------------------------------------------------------------------------------
def hypergeometric_one(population_size: int, successes: np.ndarray, sample_size: int) -> np.ndarray:
    """P(X = 1) for X ~ Hypergeometric(N, K, n), for each K in ``successes``.

    P = K·C(N−K, n−1)/C(N, n) = K·n/(N−K+1) · Π_{j=0}^{K−2} (N−n−j)/(N−j), summed in logs
    with log1p so that it stays exact for populations of hundreds of millions.
    """
    big_n, n = float(population_size), float(sample_size)
    successes = np.asarray(successes, dtype=np.int64)
    longest = int(successes.max()) - 1 if len(successes) else 0
    j = np.arange(max(longest, 0), dtype=float)
    with np.errstate(all="ignore"):
        terms = np.log1p(-n / (big_n - j))
        cumulative = np.concatenate([[0.0], np.cumsum(terms)])  # cumulative[m] = Σ_{j<m}
        k = successes.astype(float)
        log_p = np.log(k * n / (big_n - k + 1.0)) + cumulative[successes - 1]
        p = np.exp(log_p)
    # K − 1 > N − n: no way to draw exactly one of the K
    p[(successes - 1 > big_n - n) | ~np.isfinite(p)] = 0.0
    return p


def zayatz(histogram: ClassHistogram, population_size: int) -> float | None:
    """Estimated number of population uniques under Zayatz's model, or ``None``.

    c₁ · P(unique in the population | unique in the sample) / f, where the conditional
    probability is (c₁/u)·P(X=1 | K=1) / Σ_j (c_j/u)·P(X=1 | K=j) with X hypergeometric.
    """
    n, u = histogram.records, float(histogram.classes)
    c1 = histogram.classes_of_size(1)
    probabilities = hypergeometric_one(population_size, histogram.sizes, n)
    denominator = float(np.sum(histogram.counts / u * probabilities))
    with np.errstate(all="ignore"):
        conditional = (c1 / u) * float(hypergeometric_one(population_size, np.array([1]), n)[0]) / denominator
        estimate = c1 * conditional / (n / float(population_size))
    return estimate if np.isfinite(estimate) and estimate != 0 else None


# -- SNB --------------------------------------------------------------------------------------
def shlosser_classes(histogram: ClassHistogram, fraction: float, as_arx: bool = False) -> float:
    """Haas et al.'s Shlosser estimator Sh3 of the number of non-empty population classes.

    K = u + c₁ · [Σ_j j f²(1−f²)^{j−1} c_j / Σ_j ((1+f)^j − 1)(1−f)^j c_j]
            · [Σ_j (1−f)^j c_j / Σ_j j f (1−f)^{j−1} c_j]².

    ``as_arx``: ARX 3.9 subtracts 1 per distinct class size instead of (1−f)^j c_j in the
    second sum, which makes K far too small when f is small (29,552 population classes for
    Adult in the USA instead of 68 million).
    """
    j = histogram.sizes.astype(float)
    c = histogram.counts.astype(float)
    f = fraction
    c1 = float(histogram.classes_of_size(1))
    with np.errstate(all="ignore"):
        kept = (1.0 - f) ** j * c
        a = np.sum(j * f * f * (1.0 - f * f) ** (j - 1.0) * c)
        b = np.sum(kept * (1.0 + f) ** j - 1.0) if as_arx else np.sum(kept * (1.0 + f) ** j - kept)
        e = np.sum(j * f * (1.0 - f) ** (j - 1.0) * c)
        return float(histogram.classes + c1 * (a / b) * (np.sum(kept) / e) ** 2)


def snb_system(classes: float, fraction: float, c1: float, c2: float, as_arx: bool = False) -> System:
    """The SNB moment equations E[c₁] = c₁, E[c₂] = c₂ and their Jacobian (Chen & Keller-McNulty 1998).

    Population class sizes are 1 + NegativeBinomial(α, β) (probability of g extra members
    C(α+g−1, g) β^α (1−β)^g); each person is in the sample with probability f.  With
    d = (1−f)(1−β), the expected numbers of sample classes of size 1 and 2 are
    E[c₁] = K f (β/(1−d))^α (1 + α d/(1−d)),
    E[c₂] = K α β^α f² (1−β) (2 + (α−1) d) / (2 (1−d)^{α+2}).

    ``as_arx``: ARX 3.9 multiplies by (1−d)^{α+2} in E[c₂] instead of dividing (for α=0.7,
    β=0.3, f=0.4 its E[c₂]/K is 0.0073 where the model gives 0.1377).
    """
    k, f = classes, fraction
    sign = 1.0 if as_arx else -1.0

    def system(x: np.ndarray):
        a, b = x[:, 0], x[:, 1]
        d = (1.0 - f) * (1.0 - b)
        rest = 1.0 - d                         # = f + β(1−f)
        ratio = b / rest
        g = 1.0 + a * d / rest
        power = ratio ** a
        e1 = k * f * power * g
        shape = 2.0 - (1.0 - a) * d
        # E[c₂] = A·(1−β), A free of the (1−β) factor so that β = 1 is not singular
        big_a = k * a * b ** a * f * f / 2.0 * rest ** (sign * (a + 2.0)) * shape
        e2 = big_a * (1.0 - b)
        values = np.empty((len(x), 2))
        values[:, 0] = e1 - c1
        values[:, 1] = e2 - c2
        jacobian = np.empty((len(x), 2, 2))
        jacobian[:, 0, 0] = k * f * power * (np.log(ratio) * g + d / rest)
        jacobian[:, 0, 1] = k * f * a * power / rest ** 2 * (f * g / ratio - (1.0 - f))
        dlog_a = 1.0 / a + np.log(b) + sign * np.log(rest) + d / shape
        dlog_b = a / b + sign * (a + 2.0) * (1.0 - f) / rest + (1.0 - a) * (1.0 - f) / shape
        jacobian[:, 1, 0] = e2 * dlog_a
        jacobian[:, 1, 1] = e2 * dlog_b - big_a
        return values, jacobian

    return system


def snb(histogram: ClassHistogram, population_size: int, settings: SolverSettings = SolverSettings()) -> float | None:
    """Estimated number of population uniques under the SNB model (K·β^α, at most N), or ``None``.

    K is Shlosser's estimate of the non-empty population classes; (α, β) solve the two
    moment equations, starting from (1, 1) as ARX does (where the Jacobian is singular, so
    the tries from ARX's start grid do the work).  ``settings.snb_as_arx`` solves ARX 3.9's
    equations instead (see :func:`shlosser_classes` and :func:`snb_system`): they reproduce
    ARX's results, e.g. no convergence on the Adult data (the published equations have a
    solution there, 21.5 %, which ARX's start grid does not reach either).
    """
    fraction = histogram.records / float(population_size)
    as_arx = settings.snb_as_arx
    classes = shlosser_classes(histogram, fraction, as_arx)
    system = snb_system(classes, fraction, float(histogram.classes_of_size(1)),
                        float(histogram.classes_of_size(2)), as_arx)
    solution = newton_2d(system, (1.0, 1.0), settings)
    if solution is None:
        return None
    alpha, beta = solution
    with np.errstate(all="ignore"):
        estimate = float(classes * beta ** alpha)
    if not np.isfinite(estimate) or estimate == 0:
        return None
    # K·β^α may come out a hair above N (rounding in K and in the solution) where every record is
    # unique: no more people can be unique than there are
    return min(max(estimate, 0.0), float(population_size))


# -- all of them, and Dankar's rule -----------------------------------------------------------------
def population_uniqueness(histogram: ClassHistogram, population: Population,
                          settings: SolverSettings = SolverSettings()) -> PopulationUniqueness:
    """Pitman, Zayatz and SNB estimates and Dankar et al.'s choice among them.

    Dankar's rule: with a sampling fraction f ≤ 0.1 use Pitman (Zayatz if Pitman has no
    estimate); otherwise the smaller of Zayatz and SNB (Zayatz if SNB has no estimate).
    With no unique record in the sample every estimate is 0 and no model is chosen.

    Parameters
    ----------
    histogram
        The class sizes of the sample (suppressed records excluded).
    population
        Its population (:func:`~eucaim_wizard.risk.regions.parse_population`); it must be at
        least as large as the sample.
    """
    size = population.size
    n = histogram.records
    fraction = n / size if size else 0.0
    if histogram.classes_of_size(1) == 0:
        return PopulationUniqueness(size, population.region, fraction, 0.0, 0.0, 0.0, 0.0, None)
    counts = {PITMAN: pitman(histogram, size, settings), ZAYATZ: zayatz(histogram, size),
              SNB: snb(histogram, size, settings)}
    if fraction <= 0.1:
        model = PITMAN if counts[PITMAN] is not None else ZAYATZ
    elif counts[SNB] is not None:
        model = ZAYATZ if counts[ZAYATZ] is not None and counts[ZAYATZ] < counts[SNB] else SNB
    else:
        model = ZAYATZ
    shares = {name: None if value is None else value / size for name, value in counts.items()}
    unavailable = {name: NOT_CONVERGED if name != ZAYATZ else "not defined for this table"
                   for name, value in counts.items() if value is None}
    dankar = shares[model]
    return PopulationUniqueness(size, population.region, fraction, shares[PITMAN], shares[ZAYATZ], shares[SNB],
                                dankar, model if dankar is not None else None, unavailable)


__all__ = ["PopulationUniqueness", "SolverSettings", "population_uniqueness", "pitman", "zayatz", "snb",
           "newton_2d", "pitman_system", "pitman_start", "snb_system", "shlosser_classes", "hypergeometric_one",
           "PITMAN", "ZAYATZ", "SNB", "NOT_CONVERGED", "START_GRID"]
