"""Classification utility: hand-checkable cases, suppression handled as ARX, determinism under the seed."""

from __future__ import annotations

import numpy as np
import pytest

from eucaim_wizard import Table
from eucaim_wizard.errors import ProjectError
from eucaim_wizard.utility.classification import evaluate_classification


def _tables(n=60, seed=1):
    """The class is the colour; 'shade' generalizes it away; 'noise' says nothing."""
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "blue", "green"], size=n)
    noise = rng.choice(["a", "b"], size=n)
    original = Table.from_columns({"colour": list(colour), "noise": list(noise), "target": list(colour)})
    anonymized = Table.from_columns({"colour": ["*"] * n, "noise": list(noise), "target": list(colour)})
    return original, anonymized


def test_a_perfect_feature_is_learned_and_its_loss_shows_in_the_relative_accuracy():
    original, anonymized = _tables()
    report = evaluate_classification(original, anonymized, "target", ["colour", "noise"], folds=3)
    assert report.classes == ["blue", "green", "red"]
    assert report.features == ["colour", "noise"]
    for comparison in report.models:
        assert comparison.original.accuracy == 1.0
        assert comparison.original.macro_auc == pytest.approx(1.0)
        assert comparison.anonymized.accuracy < 0.6  # only noise left
        assert comparison.relative_accuracy == pytest.approx(comparison.anonymized.accuracy)
        assert comparison.original.brier_skill_score > 0.5
        assert comparison.brier_skill_vs_original < 0  # ARX's: the anonymized model is worse
    assert report.relative_accuracy == pytest.approx(np.mean([m.relative_accuracy for m in report.models]))


def test_majority_baseline_on_balanced_classes_by_hand():
    # 40 records, two classes of 20, 4 stratified folds: every training fold is 15/15
    table = Table.from_columns({"f": ["x", "y"] * 20, "target": ["p"] * 20 + ["q"] * 20})
    report = evaluate_classification(table, table, "target", ["f"], folds=4, models=["naive-bayes"])
    base = report.baseline
    assert base.accuracy == 0.5  # a tie goes to the first class, 'p'
    assert base.brier_score == pytest.approx(0.5)  # (½−1)² + (½)² per record
    assert base.auc == {"p": 0.5, "q": 0.5}
    assert base.brier_skill_score == 0.0


def test_identical_tables_give_identical_results():
    original, _ = _tables()
    report = evaluate_classification(original, original, "target", ["colour", "noise"], folds=3)
    for comparison in report.models:
        assert comparison.original == comparison.anonymized
        assert comparison.relative_accuracy == 1.0
        assert comparison.brier_skill_vs_original == 0.0


def test_suppressed_records_are_left_out_of_training_but_predicted():
    original, _ = _tables()
    everything = np.ones(original.n_rows, dtype=bool)
    report = evaluate_classification(original, original, "target", ["colour"], folds=3, suppressed=everything)
    assert report.suppressed_records == original.n_rows
    for comparison in report.models:
        # nothing to learn from: every class probability 0, always wrong (as ARX)
        assert comparison.anonymized.accuracy == 0.0
        assert comparison.anonymized.brier_score == pytest.approx(1.0)
        assert comparison.original.accuracy == 1.0


def test_suppressed_records_are_predicted_from_unseen_values():
    original, _ = _tables(n=90)
    n = original.n_rows
    suppressed = np.zeros(n, dtype=bool)
    suppressed[::3] = True
    column = original.column("colour").copy()
    column[suppressed] = "*"
    anonymized = Table.from_columns({"colour": list(column), "noise": list(original.column("noise")),
                                     "target": list(original.column("target"))})
    report = evaluate_classification(original, anonymized, "target", ["colour"], folds=3, suppressed=suppressed,
                                     models=["logistic-regression", "naive-bayes"])
    for comparison in report.models:
        # the kept two thirds are classified perfectly; the suppressed third by the prior alone
        assert 2 / 3 <= comparison.anonymized.accuracy < 1.0


def test_results_are_deterministic_under_the_seed_and_progress_is_reported():
    original, anonymized = _tables(n=45, seed=3)
    calls = []
    first = evaluate_classification(original, anonymized, "target", ["colour", "noise"], folds=3, seed=7,
                                    progress=lambda done, total: calls.append((done, total)))
    second = evaluate_classification(original, anonymized, "target", ["colour", "noise"], folds=3, seed=7)
    assert first.to_dict() == second.to_dict()
    assert calls == [(i, 9) for i in range(1, 10)]  # 3 folds × 3 models


def test_target_labels_can_be_given():
    original, anonymized = _tables()
    labels = np.where(original.column("target") == "red", "warm", "cold")
    report = evaluate_classification(original, anonymized, "target", ["colour"], labels=labels, folds=3,
                                     models=["naive-bayes"])
    assert report.classes == ["cold", "warm"]
    assert report.model("naive-bayes").original.accuracy == 1.0


@pytest.mark.parametrize("kwargs, phrase", [
    ({"target": "nope"}, "no attribute 'nope'"),
    ({"features": ["target"]}, "no feature"),
    ({"models": ["svm"]}, "unknown classifier"),
    ({"folds": 1}, "at least 2 folds"),
    ({"folds": 100}, "too few"),
])
def test_bad_requests_are_refused_clearly(kwargs, phrase):
    original, anonymized = _tables()
    arguments = {"target": "target", "features": ["colour"], **kwargs}
    target, features = arguments.pop("target"), arguments.pop("features")
    with pytest.raises(ProjectError, match=phrase):
        evaluate_classification(original, anonymized, target, features, **arguments)


def test_a_target_with_one_value_is_refused():
    table = Table.from_columns({"f": ["a", "b", "a"], "t": ["x", "x", "x"]})
    with pytest.raises(ProjectError, match="only one value"):
        evaluate_classification(table, table, "t", ["f"], folds=2)


def test_training_on_distinct_rows_with_weights_equals_training_on_every_record():
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import CategoricalNB

    from eucaim_wizard.utility.classification import _Features, _fit_predict

    original, _ = _tables(n=120, seed=4)
    features = _Features(original, ["colour", "noise"])
    y = np.unique(original.column("target"), return_inverse=True)[1]
    train, test = np.arange(90), np.arange(90, 120)
    rows, weights = features.distinct(train, y)
    assert len(rows) < len(train) and weights.sum() == len(train)
    nb = CategoricalNB(alpha=1.0, min_categories=features.sizes).fit(features.codes[train], y[train])
    assert np.allclose(_fit_predict("naive-bayes", features, y, train, test, 3, 0, 1),
                       nb.predict_proba(features.codes[test]))
    lr = LogisticRegression(C=1.0, max_iter=1000, tol=1e-10).fit(features.onehot[train], y[train])
    assert np.allclose(_fit_predict("logistic-regression", features, y, train, test, 3, 0, 1),
                       lr.predict_proba(features.onehot[test]), atol=1e-3)


def test_the_forest_does_not_depend_on_the_number_of_threads():
    original, anonymized = _tables(n=45, seed=3)
    one = evaluate_classification(original, anonymized, "target", ["colour", "noise"], folds=3,
                                  models=["random-forest"], n_jobs=1)
    two = evaluate_classification(original, anonymized, "target", ["colour", "noise"], folds=3,
                                  models=["random-forest"], n_jobs=2)
    assert one.to_dict() == two.to_dict()
