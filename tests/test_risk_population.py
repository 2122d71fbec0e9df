"""Population uniqueness: Zayatz, Pitman, SNB, Dankar's rule, the solver, and the region presets."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import optimize, special, stats

from eucaim_wizard.risk import ClassHistogram, Population, RiskError, parse_population, population_uniqueness
from eucaim_wizard.risk.population import (SolverSettings, hypergeometric_one, newton_2d, pitman, pitman_start,
                                           pitman_system, shlosser_classes, snb, snb_system, zayatz)
from eucaim_wizard.risk.regions import REGIONS, find_region


def histogram(*sizes: int) -> ClassHistogram:
    return ClassHistogram.from_class_sizes(list(sizes))


# --- Zayatz -------------------------------------------------------------------------------------
def test_zayatz_by_hand():
    # classes 1, 1, 2 (n = 4) from N = 10: P(X=1 | K=1) = 4/10, P(X=1 | K=2) = 2·C(8,3)/C(10,4) = 8/15;
    # conditional uniqueness = (2/3 · 2/5) / (2/3 · 2/5 + 1/3 · 8/15) = 3/5; uniques = 2 · 3/5 / (4/10) = 3
    assert zayatz(histogram(1, 1, 2), 10) == pytest.approx(3.0, rel=1e-12)


def test_the_hypergeometric_probability_is_exact_for_large_populations():
    big_n, n = 317_238_626, 30162
    ours = hypergeometric_one(big_n, np.array([1, 2, 3, 45, 300]), n)
    # exact rationals: K = 1, 2, 3
    exact = [Fraction(n, big_n), Fraction(2 * n * (big_n - n), big_n * (big_n - 1)),
             Fraction(3 * n * (big_n - n) * (big_n - n - 1), big_n * (big_n - 1) * (big_n - 2))]
    assert ours[:3] == pytest.approx([float(p) for p in exact], rel=1e-13)
    # scipy agrees to its own precision (about 1e-8 at this population size)
    assert ours == pytest.approx(stats.hypergeom.pmf(1, big_n, [1, 2, 3, 45, 300], n), rel=1e-7)
    assert hypergeometric_one(10, np.array([8]), 4).tolist() == [0.0]  # 7 others cannot fit in 6 unsampled


# --- Pitman ---------------------------------------------------------------------------------------
def log_likelihood(theta: float, alpha: float, sizes: list[int]) -> float:
    """Pitman's sampling formula, written with explicit sums (Hoshino 2001)."""
    u, n = len(sizes), sum(sizes)
    value = sum(np.log(theta + i * alpha) for i in range(1, u))
    value -= sum(np.log(theta + i) for i in range(1, n))
    value += sum(np.log(l - alpha) for j in sizes for l in range(1, j))
    return value


SIZES = [1] * 12 + [2] * 5 + [3, 3, 4, 6]


def test_pitman_solves_the_likelihood_equations_written_as_sums():
    h = ClassHistogram.from_class_sizes(SIZES)
    # the maximum of the explicit log-likelihood, found without any derivative
    best = optimize.minimize(lambda x: -log_likelihood(x[0], x[1], SIZES), x0=[1.0, 0.5], method="Nelder-Mead",
                             options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 10000}).x
    solution = newton_2d(pitman_system(h), pitman_start(h), constraint=lambda x: x[:, 0] >= 0)
    assert solution == pytest.approx(best, rel=1e-4)
    theta, alpha = solution
    expected = np.exp(special.gammaln(theta + 1) - special.gammaln(theta + alpha)) * 1000.0 ** alpha
    assert pitman(h, 1000) == pytest.approx(expected, rel=1e-12)


def test_pitman_system_derivatives_match_finite_differences():
    system = pitman_system(ClassHistogram.from_class_sizes(SIZES))
    point = np.array([[3.0, 0.4]])
    values, jacobian = system(point)
    for column in range(2):
        step = np.zeros((1, 2))
        step[0, column] = 1e-6
        numeric = (system(point + step)[0] - system(point - step)[0]) / 2e-6
        assert jacobian[0, :, column] == pytest.approx(numeric[0], rel=1e-5)
    # the score equations are the derivatives of the log-likelihood
    grad = [(log_likelihood(3 + 1e-6, 0.4, SIZES) - log_likelihood(3 - 1e-6, 0.4, SIZES)) / 2e-6,
            (log_likelihood(3, 0.4 + 1e-6, SIZES) - log_likelihood(3, 0.4 - 1e-6, SIZES)) / 2e-6]
    assert values[0] == pytest.approx(grad, rel=1e-5)


# --- SNB ------------------------------------------------------------------------------------------
def snb_probabilities(alpha: float, beta: float, f: float) -> tuple[float, float]:
    """P(sample class size 1), P(size 2) by summing over population sizes 1 + NB(α, β)."""
    g = np.arange(0, 20000)
    p_g = np.exp(special.gammaln(alpha + g) - special.gammaln(alpha) - special.gammaln(g + 1)
                 + alpha * np.log(beta) + g * np.log1p(-beta))
    size = g + 1
    return (float(np.sum(p_g * size * f * (1 - f) ** (size - 1))),
            float(np.sum(p_g * size * (size - 1) / 2 * f * f * (1 - f) ** (size - 2))))


@pytest.mark.parametrize("alpha, beta, f", [(0.7, 0.3, 0.4), (2.0, 0.6, 0.05), (0.1, 0.05, 0.7)])
def test_snb_equations_are_the_model_moments(alpha, beta, f):
    p1, p2 = snb_probabilities(alpha, beta, f)
    values, _ = snb_system(1000.0, f, 0.0, 0.0)(np.array([[alpha, beta]]))
    assert values[0] == pytest.approx([1000 * p1, 1000 * p2], rel=1e-9)


def test_arx_snb_second_equation_differs_from_the_model():
    _, p2 = snb_probabilities(0.7, 0.3, 0.4)
    values, _ = snb_system(1.0, 0.4, 0.0, 0.0, as_arx=True)(np.array([[0.7, 0.3]]))
    assert p2 == pytest.approx(0.1376527681, rel=1e-8) and values[0, 1] == pytest.approx(0.0072660121, rel=1e-8)


@pytest.mark.parametrize("as_arx", [False, True])
def test_snb_jacobian_matches_finite_differences(as_arx):
    system = snb_system(5000.0, 0.3, 40.0, 12.0, as_arx)
    point = np.array([[0.8, 0.35]])
    _, jacobian = system(point)
    for column in range(2):
        step = np.zeros((1, 2))
        step[0, column] = 1e-7
        numeric = (system(point + step)[0] - system(point - step)[0]) / 2e-7
        assert jacobian[0, :, column] == pytest.approx(numeric[0], rel=1e-5)


def test_the_snb_solver_recovers_the_parameters_that_made_the_counts():
    alpha, beta, f, classes = 0.8, 0.4, 0.3, 5000.0
    p1, p2 = snb_probabilities(alpha, beta, f)
    solution = newton_2d(snb_system(classes, f, classes * p1, classes * p2), (1.0, 1.0))
    assert solution == pytest.approx([alpha, beta], rel=1e-6)


def test_shlosser_estimate_by_hand():
    # sizes 1, 1, 2 with f = 1/2: K = 3 + 2 · (0.875 / 0.8125) · (1.25 / 1.5)² = 3 + 175/117
    h = histogram(1, 1, 2)
    assert shlosser_classes(h, 0.5) == pytest.approx(3 + 175 / 117, rel=1e-12)
    # ARX subtracts 1 per class size: second sum 0.0625 instead of 0.8125
    assert shlosser_classes(h, 0.5, as_arx=True) == pytest.approx(3 + 2 * 14 * 25 / 36, rel=1e-12)


# --- Dankar's rule and the result ----------------------------------------------------------------
SMALL = histogram(1, 1, 1, 2, 2, 3, 5, 1, 1, 4)  # 21 records, 6 sample uniques


def test_dankar_uses_pitman_up_to_a_sampling_fraction_of_ten_percent():
    u = population_uniqueness(SMALL, Population(1000))
    assert u.sampling_fraction == 21 / 1000
    assert u.dankar_model == "pitman" and u.dankar == u.pitman == pitman(SMALL, 1000) / 1000
    assert u.zayatz == zayatz(SMALL, 1000) / 1000


def test_dankar_takes_the_smaller_of_zayatz_and_snb_above_ten_percent():
    u = population_uniqueness(SMALL, Population(30))
    assert u.sampling_fraction == 0.7
    assert u.snb == snb(SMALL, 30) / 30 and u.zayatz == zayatz(SMALL, 30) / 30
    assert u.dankar == min(u.snb, u.zayatz)
    assert u.dankar_model == ("snb" if u.snb < u.zayatz else "zayatz")


def test_dankar_falls_back_to_zayatz_when_snb_has_no_estimate(arx_data):
    from eucaim_wizard.risk import analyze_table
    from eucaim_wizard.tables import read_table

    table = read_table(arx_data / "adult.csv")
    qis = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation",
           "salary-class"]
    risk = analyze_table(table, qis, population=60000, attributes=False, solver=SolverSettings(snb_as_arx=True))
    u = risk.population
    assert u.snb is None and u.dankar_model == "zayatz" and u.dankar == u.zayatz


def test_no_sample_unique_means_no_population_unique():
    u = population_uniqueness(histogram(2, 3), Population(100))
    assert (u.pitman, u.zayatz, u.snb, u.dankar, u.dankar_model) == (0.0, 0.0, 0.0, 0.0, None)


def test_the_solver_is_reproducible():
    first = population_uniqueness(SMALL, Population(30))
    assert population_uniqueness(SMALL, Population(30)) == first


def _root_only_at(point, tried=None):
    """A system whose equations hold at ``point`` alone and whose every step diverges."""
    def system(x):
        if tried is not None:
            tried.extend(map(tuple, x.tolist()))
        values = np.where(np.all(x == point, axis=1)[:, None], 0.0, 1.0) * np.ones_like(x)
        return values, np.repeat(np.eye(2)[None] * 1e-300, len(x), axis=0)
    return system


def test_the_solver_gives_up_within_its_iteration_budget():
    # 7 evaluations per failing try (5 iterations allowed): with a budget of 50, tries 1-8 start
    # (the first start, then grid points 0-6), try 9 (grid point 7) does not
    settings = SolverSettings(iterations_per_try=5, iterations_total=50)
    assert newton_2d(_root_only_at((0.33, 0.66)), (1.0, 1.0), settings).tolist() == [0.33, 0.66]
    assert newton_2d(_root_only_at((0.33, 0.99)), (1.0, 1.0), settings) is None


def test_the_start_points_after_the_first_are_arx_s_grid():
    """ARXSolverConfiguration's prepared start values: 0, 0.33, 0.66, 0.99 squared, in order."""
    from eucaim_wizard.risk.population import START_GRID

    assert START_GRID.tolist() == [[x, y] for x in (0.0, 0.33, 0.66, 0.99) for y in (0.0, 0.33, 0.66, 0.99)]
    tried = []
    # a root at a grid point is found from it (the first start and the points before it fail)
    assert newton_2d(_root_only_at((0.66, 0.33), tried), (-5.0, 7.0)).tolist() == [0.66, 0.33]
    assert tried[0] == (-5.0, 7.0) and (0.33, 0.99) in tried
    # the last grid point is checked as it is, though ARX takes no step from it
    assert newton_2d(_root_only_at((0.99, 0.99)), (-5.0, 7.0)).tolist() == [0.99, 0.99]
    assert newton_2d(_root_only_at((0.5, 0.5)), (-5.0, 7.0)) is None  # no random restart finds it


def test_pitman_converges_from_the_grid_where_the_moment_start_fails(arx_data):
    """Adult, 5 QIs, USA: the moment estimate gives θ < 0 (−31.4); ARX 3.9.2 reports Pitman
    0.19281 % (0.0019281275891116724) and Dankar's rule picks it (Zayatz: 1.0004 %)."""
    from eucaim_wizard.risk import analyze_table
    from eucaim_wizard.tables import read_table

    from collections import Counter

    table = read_table(arx_data / "adult.csv")
    qis = ["age", "sex", "race", "education", "native-country"]
    sizes = Counter(zip(*(table.column(q).tolist() for q in qis))).values()
    assert pitman_start(ClassHistogram.from_class_sizes(np.array(list(sizes))))[0] == pytest.approx(-31.38, abs=0.01)
    u = analyze_table(table, qis, population="USA", attributes=False).population
    assert u.pitman == pytest.approx(0.0019281275891116724, rel=1e-6)
    assert u.zayatz == pytest.approx(0.010004057964363253, rel=1e-9)
    assert u.dankar_model == "pitman" and u.dankar == u.pitman


# --- populations ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, code", [("EU-27", "EU-27"), ("eu27", "EU-27"), ("Spain", "ES"), ("es", "ES"),
                                        ("GR", "EL"), ("greece", "EL"), ("USA", "USA"), ("united states", "USA")])
def test_regions_are_found_by_code_or_name(text, code):
    assert parse_population(text) == Population(REGIONS[code].population, code)


def test_presets_cover_eu27_and_its_member_states_and_add_up():
    states = [r for code, r in REGIONS.items() if code not in ("EU-27", "USA")]
    assert len(states) == 27
    assert sum(r.population for r in states) == pytest.approx(REGIONS["EU-27"].population, abs=27 * 50)
    assert REGIONS["USA"].population == 317_238_626
    assert find_region("Atlantis") is None


def test_populations_as_numbers():
    assert parse_population("317,238,626") == Population(317_238_626)
    assert parse_population(5000) == Population(5000)
    assert parse_population(None) == Population(REGIONS["EU-27"].population, "EU-27")


@pytest.mark.parametrize("bad, phrase", [("Atlantis", "unknown population 'Atlantis'"), ("0", "at least 1 person"),
                                         (-5, "at least 1 person"), ("1.5e6", "unknown population")])
def test_a_bad_population_is_refused_with_what_to_give(bad, phrase):
    with pytest.raises(RiskError, match=phrase):
        parse_population(bad)


def test_a_population_smaller_than_the_sample_is_refused():
    from eucaim_wizard.risk import risk_from_class_sizes

    with pytest.raises(RiskError, match=r"population \(5\) is smaller than the 7 records"):
        risk_from_class_sizes([3, 4], population=5)


def test_snb_on_the_seed_pack_is_at_most_the_whole_population(seed_pack):
    """Every record of the seed pack's table is unique: the published SNB equations give
    K·β^α a hair above N (1.000000000099568 of it); a share is capped at 1."""
    from eucaim_wizard.risk import analyze_table
    from eucaim_wizard.tables import read_table

    table = read_table(seed_pack / "examples" / "synthetic_patient_data_v2.csv")
    qis = [c for c in table.columns if c != "Patient_ID"]
    for population in ("EU-27", "ES", 5000):
        u = analyze_table(table, qis, population=population, attributes=False).population
        assert u.snb == 1.0 and u.zayatz == 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=40), st.integers(0, 4))
@example([1, 1, 1, 2, 3], 0)  # the moment estimate divides by 0 (θ = ±inf): the grid takes over
def test_every_estimate_is_a_share_between_0_and_1(sizes, scale):
    h = ClassHistogram.from_class_sizes(np.array(sizes))
    u = population_uniqueness(h, Population(h.records * 10 ** scale))
    for share in (u.pitman, u.zayatz, u.snb, u.dankar):
        assert share is None or 0.0 <= share <= 1.0
