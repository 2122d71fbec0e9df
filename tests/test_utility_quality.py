"""ARX's quality models: hand-computed values, perfect scores for identity, worst for full suppression,
and agreement with the engine's Loss and Precision metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eucaim_wizard import Hierarchy, Project, Table, anonymize
from eucaim_wizard.privacy import KAnonymity
from eucaim_wizard.utility.quality import measure_quality, normalised_score, quality_of

AGE = Hierarchy([["31", "30-39", "*"], ["32", "30-39", "*"], ["41", "40-49", "*"],
                 ["42", "40-49", "*"], ["43", "40-49", "*"], ["44", "40-49", "*"]])
SEX = Hierarchy([["F", "*"], ["M", "*"]])
TABLE = Table.from_columns({"age": ["31", "32", "41", "42", "43"], "sex": ["F", "F", "M", "M", "F"]})
HIERARCHIES = {"age": AGE, "sex": SEX}
LAST = np.array([False, False, False, False, True])


def test_identical_tables_score_one_everywhere():
    report = measure_quality(TABLE, HIERARCHIES, {"age": 0, "sex": 0})
    for quality in report.attributes:
        assert quality.missings == quality.generalization_intensity == quality.granularity == 1.0
        assert quality.non_uniform_entropy == 1.0
    assert report.attribute("age").squared_error == 1.0
    assert report.attribute("sex").squared_error is None  # not numeric
    d = report.dataset
    assert d.ambiguity == d.average_class_size == d.discernibility == d.record_level_squared_error == 1.0


def test_full_suppression_scores_zero_everywhere():
    report = measure_quality(TABLE, HIERARCHIES, {"age": 1, "sex": 0}, np.ones(5, dtype=bool))
    for quality in report.attributes:
        assert quality.missings == quality.generalization_intensity == quality.granularity == 0.0
        assert quality.non_uniform_entropy == 0.0
    assert report.attribute("age").squared_error == 0.0
    d = report.dataset
    assert d.ambiguity == d.average_class_size == d.discernibility == d.record_level_squared_error == 0.0
    assert report.suppressed_records == 5


def test_generalized_attribute_by_hand():
    age = measure_quality(TABLE, HIERARCHIES, {"age": 1, "sex": 0}).attribute("age")
    assert age.missings == 1.0
    assert age.generalization_intensity == pytest.approx(0.5)  # level 1 of height 2
    # shares 2/6 (30-39, two records) and 4/6 (40-49, three): mean 16/30, between 1/6 and 1
    assert age.granularity == pytest.approx(1 - (16 / 30 - 1 / 6) / (5 / 6))
    # lost bits 2·log2(2) + 3·log2(3) of the column's 5·log2(5)
    assert age.non_uniform_entropy == pytest.approx(1 - (2 + 3 * math.log2(3)) / (5 * math.log2(5)))
    # ranges [31,32] and [41,43] (from the data: "30-39" is not a range ARX parses); worst
    # squared distance per record 1,1,4,1,4 of the farthest ends 144,121,100,121,144
    assert age.squared_error == pytest.approx(1 - 11 / 630)


def test_dataset_level_by_hand():
    d = measure_quality(TABLE, HIERARCHIES, {"age": 1, "sex": 0}).dataset
    # rows under each label: 2,2,4,4,4 (sex at level 0: 1); between 5 and 5·6·2
    assert d.raw["ambiguity"] == 16
    assert d.ambiguity == pytest.approx(1 - (16 - 5) / (60 - 5))
    # classes (30-39,F)×2, (40-49,M)×2, (40-49,F)×1: 5/3 records per class, between 1 and 5
    assert d.raw["average_class_size"] == pytest.approx(5 / 3)
    assert d.average_class_size == pytest.approx(1 - (5 / 3 - 1) / 4)
    assert d.raw["discernibility"] == 4 + 4 + 1
    assert d.discernibility == pytest.approx(1 - (9 - 5) / (25 - 5))
    # distances to the farthest range end in population standard deviations: 1,1,2,1,2
    sd = float(np.std([31, 32, 41, 42, 43]))
    assert d.raw["record_level_squared_error"] == pytest.approx(7 / sd / 5)


def test_suppressed_record_by_hand():
    report = measure_quality(TABLE, HIERARCHIES, {"age": 1, "sex": 0}, LAST)
    age, sex = report.attribute("age"), report.attribute("sex")
    assert age.missings == sex.missings == pytest.approx(0.8)
    assert age.generalization_intensity == pytest.approx(1 - (4 * 0.5 + 1) / 5)
    assert sex.generalization_intensity == pytest.approx(0.8)
    assert age.granularity == pytest.approx(1 - (3 / 5 - 1 / 6) / (5 / 6))  # shares 2/6,2/6,4/6,4/6,1
    assert sex.granularity == pytest.approx(1 - (3 / 5 - 1 / 2) / (1 / 2))  # shares ½,½,½,½,1
    # one suppressed record alone among the suppressed: no bits lost beyond generalization
    assert age.non_uniform_entropy == pytest.approx(1 - (2 + 3 * math.log2(3)) / (5 * math.log2(5)))
    assert sex.non_uniform_entropy == 1.0
    # 40-49 now stands for [41, 42] (its kept records); the suppressed record costs its farthest end
    assert age.squared_error == pytest.approx(1 - (1 + 1 + 1 + 1 + 144) / 630)
    d = report.dataset
    assert d.raw["ambiguity"] == 2 + 2 + 4 + 4 + 12
    assert d.raw["discernibility"] == 4 + 4 + 5  # suppressed record costs n
    assert d.raw["average_class_size"] == pytest.approx(5 / 3)  # the suppressed row is a class of its own


def test_suppressed_records_among_several_values_lose_entropy():
    both = np.array([False, False, True, False, True])  # 41/M and 43/F suppressed
    sex = measure_quality(TABLE, HIERARCHIES, {"age": 0, "sex": 0}, both).attribute("sex")
    # two suppressed records with different sexes: 2 bits of the column's 5·H(3/5, 2/5)
    entropy = -(3 * math.log2(3 / 5) + 2 * math.log2(2 / 5))
    assert sex.non_uniform_entropy == pytest.approx(1 - 2 / entropy)


def test_missing_values_and_roots_count_as_missing():
    table = Table.from_columns({"q": ["a", "NULL", "", "b"]})
    hierarchy = Hierarchy([["a", "x", "Any"], ["NULL", "x", "Any"], ["", "y", "Any"], ["b", "y", "Any"]])
    assert measure_quality(table, {"q": hierarchy}, {"q": 0}).attribute("q").missings == 0.5
    # the single root ("Any") counts as missing, like '*'
    assert measure_quality(table, {"q": hierarchy}, {"q": 2}).attribute("q").missings == 0.0


def test_hierarchy_without_single_root_gets_a_level_of_star():
    table = Table.from_columns({"q": ["a", "b", "c", "d"]})
    hierarchy = Hierarchy([["a", "x"], ["b", "x"], ["c", "y"], ["d", "y"]])  # two tops: ARX adds '*'
    quality = measure_quality(table, {"q": hierarchy}, {"q": 1}).attribute("q")
    assert quality.generalization_intensity == pytest.approx(0.5)  # level 1 of height 2
    assert quality.missings == 1.0


def test_masked_and_bracketed_labels_are_ranges():
    table = Table.from_columns({"zip": ["12301", "12399", "12500", "12550"]})
    masked = Hierarchy([["12301", "123**"], ["12399", "123**"], ["12500", "125**"], ["12550", "125**"]])
    # 123** = [12300, 12399] and 125** = [12500, 12599], truncated to the data's range [12301, 12550]
    worst = [98 ** 2, 98 ** 2, 50 ** 2, 50 ** 2]
    farthest = [max((x - 12301) ** 2, (x - 12550) ** 2) for x in (12301, 12399, 12500, 12550)]
    got = measure_quality(table, {"zip": masked}, {"zip": 1}).attribute("zip").squared_error
    assert got == pytest.approx(1 - sum(worst) / sum(farthest))
    ages = Table.from_columns({"age": ["1", "4", "5", "9"]})
    bracketed = Hierarchy([["1", "[0, 5["], ["4", "[0, 5["], ["5", "[5, 10["], ["9", "[5, 10["]])
    worst = [max((1 - 1) ** 2, (1 - 5) ** 2), max(9, 1), max(0, 16), max(16, 0)]
    farthest = [max((x - 1) ** 2, (x - 9) ** 2) for x in (1, 4, 5, 9)]
    got = measure_quality(ages, {"age": bracketed}, {"age": 1}).attribute("age").squared_error
    assert got == pytest.approx(1 - sum(worst) / sum(farthest))


def test_normalisation_clips_and_handles_an_empty_span():
    assert normalised_score(0.5, 0.0, 1.0) == 0.5
    assert normalised_score(2.0, 0.0, 1.0) == 0.0
    assert normalised_score(-1.0, 0.0, 1.0) == 1.0
    assert normalised_score(3.0, 3.0, 3.0) == 1.0  # nothing measurable was lost


def _project(limit=0.2):
    return Project(data=TABLE, privacy=[KAnonymity(k=2)], suppression_limit=limit,
                   attributes={"age": {"role": "quasi-identifier", "hierarchy": AGE},
                               "sex": {"role": "quasi-identifier", "hierarchy": SEX}})


def test_quality_of_a_result_uses_its_suppression_and_lists_every_engine_metric():
    result = anonymize(_project())
    assert result.optimum.levels == {"age": 1, "sex": 0}
    report = quality_of(result)
    assert report.suppressed_records == result.optimum.suppressed_records == 1
    direct = measure_quality(TABLE, HIERARCHIES, {"age": 1, "sex": 0}, LAST)
    assert report.attributes == direct.attributes
    assert report.information_loss[result.metric_label] == pytest.approx(result.optimum.information_loss)
    assert {label.split(" ")[0] for label in report.information_loss} == {
        "Loss", "Precision", "Height", "Discernibility", "AECS", "Non-uniform"}
    assert report.information_loss["Height"] == 1.0
    assert report.information_loss["Discernibility"] == 4 + 4 + 5


def test_granularity_and_intensity_agree_with_the_engine_metrics():
    """1 − granularity is the engine's per-attribute Loss, 1 − intensity its Precision."""
    from eucaim_wizard.metrics import MetricConfig, build_metric

    result = anonymize(_project())
    node = result.node_of({"age": 1, "sex": 0})
    classes = result.evaluator.classes(node)
    ok, _ = result.evaluator.verdict(classes)
    loss = build_metric(MetricConfig(name="loss"), result.frequency, result.lattice, [0.5, 0.5], 0.2)
    precision = build_metric(MetricConfig(name="precision"), result.frequency, result.lattice, [0.5, 0.5], 0.2)
    report = quality_of(result, {"age": 1, "sex": 0})
    for a, quality in enumerate(report.attributes):
        assert 1 - quality.granularity == pytest.approx(loss.scores(classes, ok)[a], abs=1e-9)
        assert 1 - quality.generalization_intensity == pytest.approx(precision.scores(classes, ok)[a])


@st.composite
def _tables(draw):
    n = draw(st.integers(2, 12))
    values = [str(v) for v in range(draw(st.integers(2, 5)))]
    columns = {f"q{i}": draw(st.lists(st.sampled_from(values), min_size=n, max_size=n)) for i in range(2)}
    for column in columns.values():  # at least two distinct values, so that there is something to lose
        column[0], column[1] = values[0], values[1]
    hierarchy = Hierarchy([[v, "low" if int(v) < 2 else "high", "*"] for v in values])
    return Table.from_columns(columns), {name: hierarchy for name in columns}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables(), st.integers(0, 2), st.integers(0, 2))
def test_scores_lie_in_zero_one_identity_is_best_and_full_suppression_worst(data, level0, level1):
    table, hierarchies = data
    levels = {"q0": level0, "q1": level1}
    identity = measure_quality(table, hierarchies, {"q0": 0, "q1": 0})
    chosen = measure_quality(table, hierarchies, levels)
    nothing = measure_quality(table, hierarchies, levels, np.ones(table.n_rows, dtype=bool))
    for best, mid, worst in zip(identity.attributes, chosen.attributes, nothing.attributes):
        for field in ("missings", "generalization_intensity", "granularity", "non_uniform_entropy", "squared_error"):
            b, m, w = getattr(best, field), getattr(mid, field), getattr(worst, field)
            assert b == 1.0 and w == 0.0
            assert 0.0 <= m <= 1.0
    for field in ("ambiguity", "discernibility", "record_level_squared_error"):
        assert getattr(identity.dataset, field) == 1.0
        assert getattr(nothing.dataset, field) == 0.0
        assert 0.0 <= getattr(chosen.dataset, field) <= 1.0
