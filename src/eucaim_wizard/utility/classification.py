"""Classification performance on the original and on the anonymized table (scikit-learn).

What a data user can still learn from the anonymized table, measured as ARX does: the same
classifier is trained and cross-validated on the original and on the anonymized table, and
its accuracy on the anonymized table relative to the original is the headline number.

The procedure, per model (logistic regression, categorical naive Bayes, random forest) and a
majority-class baseline:

* Stratified k-fold cross-validation (default 10 folds) with a fixed seed; the folds are the
  same for both tables, and every record is predicted once.
* Features are categories: every distinct value, original or generalized (``30-39`` is one
  category, ``*`` another), is one indicator column (one-hot) for logistic regression and the
  random forest, and one category for naive Bayes.
* Suppressed records are handled as ARX does (``StatisticsClassification``): they are left out
  when training on the anonymized table, but are predicted like every other record — from
  their ``*`` values, which the model has never seen, so only its intercept speaks.  A model
  trained on no record gives every class probability 0 (always wrong, Brier score 1 per record).
* The class of a record is the original value of the target; when the target is a
  quasi-identifier, it is its generalized value (without suppression) for both tables, as in
  ARX, which reads the class from the output.

Measures, per model and table: accuracy; Brier score ``1/n Σ_i Σ_c (p_ic − y_ic)²``;
Brier skill score ``1 − BS / BS_baseline`` against the majority baseline, whose probabilities
are the class shares of the training folds; ROC AUC one class against the rest, per class and
their mean (macro).  Comparisons: relative accuracy ``accuracy(anonymized) /
accuracy(original)``, and ARX's "Brier skill score" of the anonymized model against the
original one, ``1 − BS(anonymized) / BS(original)``.

Model settings: logistic regression with L2 penalty (C = 1; Newton–Cholesky for two classes,
else L-BFGS); categorical naive Bayes with Laplace smoothing (α = 1); random forest of 100
trees on bootstrap samples of the records, with ARX's defaults for its trees (√features per
split, at least 5 records per leaf, at most 100 leaves) but 100 trees instead of ARX's 500.
Every model is trained on the distinct training rows weighted by their records, which gives
the same models (the same bootstrap distribution for the forest) at the cost of the distinct
rows: a generalized table has few, which keeps the full Adult analysis within a minute on
two cores.

References
----------
G. W. Brier, "Verification of forecasts expressed in terms of probability", Monthly Weather
Review 78(1):1–3, 1950.
T. Fawcett, "An introduction to ROC analysis", Pattern Recognition Letters 27:861–874, 2006.
F. Prasser, J. Eicher, H. Spengler, R. Bild, K. A. Kuhn, "Flexible data anonymization using
ARX — current status and challenges ahead", Software: Practice and Experience
50(7):1277–1304, 2020 (ARX's classification-based utility evaluation).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ProjectError
from ..tables import Table

Progress = Callable[[int, int], None]

#: model key -> readable name
MODELS = {
    "logistic-regression": "Logistic regression",
    "naive-bayes": "Naive Bayes (categorical)",
    "random-forest": "Random forest",
}
BASELINE = "majority"


@dataclass(frozen=True)
class ModelPerformance:
    """Cross-validated performance of one model on one table.

    ``auc`` maps each class to its one-against-the-rest ROC AUC (``None`` where a class is
    absent or alone); ``macro_auc`` is their mean; ``brier_skill_score`` compares with the
    majority baseline (``None`` when the baseline's Brier score is 0).
    """

    model: str
    accuracy: float
    brier_score: float
    brier_skill_score: float | None
    auc: dict[str, float | None]
    macro_auc: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "accuracy": self.accuracy, "brier_score": self.brier_score,
                "brier_skill_score": self.brier_skill_score, "auc": dict(self.auc), "macro_auc": self.macro_auc}


@dataclass(frozen=True)
class ModelComparison:
    """One model on the original and on the anonymized table."""

    model: str
    original: ModelPerformance
    anonymized: ModelPerformance

    @property
    def relative_accuracy(self) -> float | None:
        """``accuracy(anonymized) / accuracy(original)``: 1 means nothing was lost."""
        return self.anonymized.accuracy / self.original.accuracy if self.original.accuracy else None

    @property
    def brier_skill_vs_original(self) -> float | None:
        """ARX's Brier skill score: ``1 − BS(anonymized)/BS(original)`` (0: as good, < 0: worse)."""
        if self.original.brier_score == 0:
            return None
        return 1.0 - self.anonymized.brier_score / self.original.brier_score

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "original": self.original.to_dict(), "anonymized": self.anonymized.to_dict(),
                "relative_accuracy": self.relative_accuracy, "brier_skill_vs_original": self.brier_skill_vs_original}


@dataclass(frozen=True)
class ClassificationReport:
    """Classification performance of every model on both tables, with the majority baseline.

    ``relative_accuracy`` (the headline) is the mean over the models of
    ``accuracy(anonymized) / accuracy(original)``.
    """

    target: str
    features: list[str]
    classes: list[str]
    folds: int
    seed: int
    records: int
    suppressed_records: int
    baseline: ModelPerformance
    models: list[ModelComparison]

    @property
    def relative_accuracy(self) -> float | None:
        values = [m.relative_accuracy for m in self.models if m.relative_accuracy is not None]
        return float(np.mean(values)) if values else None

    def model(self, key: str) -> ModelComparison:
        for comparison in self.models:
            if comparison.model == key:
                return comparison
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "features": list(self.features), "classes": list(self.classes),
                "folds": self.folds, "seed": self.seed, "records": self.records,
                "suppressed_records": self.suppressed_records, "relative_accuracy": self.relative_accuracy,
                "baseline": self.baseline.to_dict(), "models": [m.to_dict() for m in self.models]}


class _Features:
    """One table's features as category codes (naive Bayes) and as indicator columns."""

    def __init__(self, table: Table, features: Sequence[str]):
        from scipy import sparse

        self.codes = np.stack([table.codes(f).astype(np.int64) for f in features], axis=1)
        self.sizes = np.array([len(table.categories(f)) for f in features], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(self.sizes)[:-1]])
        n, m = self.codes.shape
        self.onehot = sparse.csr_matrix(
            (np.ones(n * m), (np.repeat(np.arange(n), m), (self.codes + offsets).ravel())),
            shape=(n, int(self.sizes.sum())))

    def tree_input(self, rows: np.ndarray):
        """The indicator columns of ``rows`` for trees: dense float32 when small, else CSC."""
        block = self.onehot[rows]
        return block.toarray().astype(np.float32) if block.shape[0] * block.shape[1] <= 20_000_000 else block.tocsc()

    def distinct(self, rows: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The first of each group of ``rows`` with equal features and class, and the group sizes."""
        from ..engine.classes import group

        columns = [self.codes[rows, i] for i in range(self.codes.shape[1])] + [y[rows]]
        radices = [int(s) for s in self.sizes] + [int(y.max()) + 1]
        _, sizes, inverse = group(columns, radices, None)
        _, first = np.unique(inverse, return_index=True)
        return rows[first], sizes.astype(float)


class _Forest:
    """A random forest grown on the distinct rows of the training records.

    Each tree is grown on a bootstrap sample of the *records*: the number of times each
    distinct row is drawn is multinomial (as many draws as records, each row with its share
    of the records), and these counts are the sample weights — the same distribution as
    bootstrapping the records one by one, at the cost of the distinct rows only (a
    generalized table has few).  Trees follow ARX's defaults: √features per split, at least 5
    records per leaf, at most 100 leaves.

    References
    ----------
    L. Breiman, "Random forests", Machine Learning 45:5–32, 2001.
    """

    def __init__(self, trees: int, seed: int, n_jobs: int):
        self.trees, self.seed, self.n_jobs = trees, seed, n_jobs

    def fit(self, X, y: np.ndarray, weights: np.ndarray, n_classes: int) -> _Forest:
        from joblib import Parallel, delayed
        from sklearn.tree import DecisionTreeClassifier

        rng = np.random.default_rng(self.seed)
        records = int(round(weights.sum()))
        draws = [rng.multinomial(records, weights / weights.sum()) for _ in range(self.trees)]
        seeds = rng.integers(0, 2**31 - 1, size=self.trees)

        def grow(counts: np.ndarray, seed: int):
            drawn = np.flatnonzero(counts)
            tree = DecisionTreeClassifier(max_features="sqrt", max_leaf_nodes=100,
                                          min_weight_fraction_leaf=5.0 / records, random_state=int(seed))
            return tree.fit(X[drawn], y[drawn], sample_weight=counts[drawn].astype(float))

        self.n_classes = n_classes
        self.estimators = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(grow)(counts, seed) for counts, seed in zip(draws, seeds))
        return self

    def predict_proba(self, X) -> np.ndarray:
        probabilities = np.zeros((X.shape[0], self.n_classes))
        for tree in self.estimators:
            probabilities[:, tree.classes_] += tree.predict_proba(X)
        return probabilities / len(self.estimators)


def _model(key: str, features: _Features, n_classes: int):
    if key == "logistic-regression":
        from sklearn.linear_model import LogisticRegression

        # the same objective either way; Newton steps converge in a few for two classes
        solver = "newton-cholesky" if n_classes == 2 else "lbfgs"
        return LogisticRegression(C=1.0, max_iter=1000, solver=solver), features.onehot
    if key == "naive-bayes":
        from sklearn.naive_bayes import CategoricalNB

        return CategoricalNB(alpha=1.0, min_categories=features.sizes), features.codes
    raise ProjectError(f"unknown classifier {key!r}; known: {', '.join(MODELS)}")


def _fit_predict(key: str, features: _Features, y: np.ndarray, train: np.ndarray, test: np.ndarray,
                 n_classes: int, seed: int, n_jobs: int) -> np.ndarray:
    """Class probabilities of the ``test`` records from a model trained on ``train``.

    Every model is trained on the distinct rows (features and class) of ``train`` weighted by
    their number of records: the same model as on every record for logistic regression and
    naive Bayes (their losses are sums over records), and the same bootstrap for the forest.
    """
    probabilities = np.zeros((len(test), n_classes))
    if len(train) == 0:
        return probabilities  # nothing to learn from: every class 0, as ARX
    present = np.unique(y[train])
    if len(present) == 1:
        probabilities[:, present[0]] = 1.0
        return probabilities
    rows, weights = features.distinct(train, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes on tiny folds are not the user's business
        if key == "random-forest":
            X = features.tree_input(rows)
            forest = _Forest(100, seed, n_jobs).fit(X, y[rows], weights, n_classes)
            return forest.predict_proba(features.tree_input(test))
        model, X = _model(key, features, n_classes)
        model.fit(X[rows], y[rows], sample_weight=weights)
        probabilities[:, model.classes_] = model.predict_proba(X[test])
    return probabilities


def _performance(model: str, y: np.ndarray, probabilities: np.ndarray, classes: list[str],
                 baseline_brier: float | None) -> ModelPerformance:
    from sklearn.metrics import roc_auc_score

    n, n_classes = probabilities.shape
    truth = np.zeros_like(probabilities)
    truth[np.arange(n), y] = 1.0
    # a record nobody can classify (all probabilities 0) is wrong, as in ARX
    predicted = np.where(probabilities.max(axis=1) > 0, probabilities.argmax(axis=1), -1)
    accuracy = float(np.mean(predicted == y))
    brier = float(np.mean(np.sum((probabilities - truth) ** 2, axis=1)))
    auc: dict[str, float | None] = {}
    for c, name in enumerate(classes):
        positives = int(truth[:, c].sum())
        auc[name] = float(roc_auc_score(truth[:, c], probabilities[:, c])) if 0 < positives < n else None
    known = [v for v in auc.values() if v is not None]
    skill = None if not baseline_brier else 1.0 - brier / baseline_brier
    return ModelPerformance(model, accuracy, brier, skill, auc, float(np.mean(known)) if known else None)


def evaluate_classification(original: Table, anonymized: Table, target: str, features: Sequence[str],
                            **options) -> ClassificationReport:
    """:func:`_evaluate_classification` with one BLAS thread: the classifiers' matrices are small,
    and more threads than free cores made the logistic regression three times slower on 2-core
    machines (identical results)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _evaluate_classification(original, anonymized, target, features, **options)


def _evaluate_classification(
    original: Table,
    anonymized: Table,
    target: str,
    features: Sequence[str],
    *,
    suppressed: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    models: Sequence[str] = tuple(MODELS),
    folds: int = 10,
    seed: int = 0,
    n_jobs: int = 1,
    progress: Progress | None = None,
) -> ClassificationReport:
    """Cross-validate classifiers of ``target`` on the original and on the anonymized table.

    Parameters
    ----------
    original, anonymized
        The two tables, record for record (the anonymized one with suppressed records kept).
    target
        The attribute to predict.
    features
        The attributes to predict it from (``target`` is left out if listed).
    suppressed
        Boolean per record: suppressed in ``anonymized`` (left out of its training folds).
    labels
        The class of every record (default: ``original``'s ``target`` column).
    models
        Keys of :data:`MODELS`.
    folds
        Number of stratified cross-validation folds.
    seed
        Seed of the folds and of the random forest: equal seeds give equal results.
    n_jobs
        Threads growing the random forest's trees (keep it at most the number of cores).
    progress
        Called with (models trained, total) after each fold of each model (both tables).

    Raises
    ------
    ProjectError
        For an unknown attribute or model, no features, a target with one class, or fewer
        records than folds.
    """
    features = _checked_features(original, anonymized, target, features, models, folds)
    n = original.n_rows
    suppressed = np.zeros(n, dtype=bool) if suppressed is None else np.asarray(suppressed, dtype=bool)
    classes, y = _classes(original, target, labels)
    tables = {"original": _Features(original, features), "anonymized": _Features(anonymized, features)}
    baseline, probabilities = _cross_validate(tables, n, y, len(classes), suppressed, models, folds, seed,
                                              n_jobs, progress)
    base = _performance(BASELINE, y, baseline, classes, None)
    base = ModelPerformance(BASELINE, base.accuracy, base.brier_score, 0.0, base.auc, base.macro_auc)
    comparisons = [ModelComparison(
        model,
        _performance(model, y, probabilities[model, "original"], classes, base.brier_score),
        _performance(model, y, probabilities[model, "anonymized"], classes, base.brier_score),
    ) for model in models]
    return ClassificationReport(target, list(features), classes, folds, seed, n, int(suppressed.sum()),
                                base, comparisons)


def _checked_features(original: Table, anonymized: Table, target: str, features: Sequence[str],
                      models: Sequence[str], folds: int) -> list[str]:
    """Check the attributes, models, record counts and folds; return the features without the target."""
    for name in [target, *features]:
        if name not in original.columns or name not in anonymized.columns:
            usable = [c for c in original.columns if c in anonymized.columns]
            raise ProjectError(f"there is no attribute {name!r} in both tables to classify with; "
                               f"usable attributes: {', '.join(usable)}")
    features = [f for f in features if f != target]
    if not features:
        raise ProjectError(f"no feature to predict {target!r} from; give at least one attribute besides the target")
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise ProjectError(f"unknown classifier(s) {', '.join(unknown)}; known: {', '.join(MODELS)}")
    n = original.n_rows
    if anonymized.n_rows != n:
        raise ProjectError(f"the anonymized table has {anonymized.n_rows} records and the original {n}; "
                           f"keep suppressed records (do not drop them) to compare")
    if folds < 2:
        raise ProjectError(f"cross-validation needs at least 2 folds, not {folds}")
    if n < folds:
        raise ProjectError(f"{n} records are too few for {folds}-fold cross-validation; use fewer folds")
    return features


def _classes(original: Table, target: str, labels: np.ndarray | None) -> tuple[list[str], np.ndarray]:
    """The sorted classes and every record's class index; at least two classes are required."""
    labels = original.column(target) if labels is None else np.asarray(labels, dtype=object)
    classes, y = np.unique(labels.astype(str), return_inverse=True)
    classes = classes.tolist()
    if len(classes) < 2:
        raise ProjectError(f"the target {target!r} has only one value ({classes[0]!r}) in these records: "
                           f"there is nothing to predict; choose another target")
    return classes, y


def _cross_validate(tables: dict[str, _Features], n: int, y: np.ndarray, n_classes: int, suppressed: np.ndarray,
                    models: Sequence[str], folds: int, seed: int, n_jobs: int, progress: Progress | None,
                    ) -> tuple[np.ndarray, dict[tuple[str, str], np.ndarray]]:
    """The baseline's and every (model, table)'s class probabilities of each record, from stratified folds."""
    from sklearn.model_selection import StratifiedKFold

    probabilities = {(m, t): np.zeros((n, n_classes)) for m in models for t in tables}
    baseline = np.zeros((n, n_classes))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a class smaller than the number of folds is allowed
        splits = list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(n), y))
    total, done = len(splits) * len(models), 0
    for train, test in splits:
        shares = np.bincount(y[train], minlength=n_classes) / len(train)
        baseline[test] = shares
        kept_train = train[~suppressed[train]]
        for model in models:
            for name, table in tables.items():
                rows = kept_train if name == "anonymized" else train
                probabilities[model, name][test] = _fit_predict(model, table, y, rows, test, n_classes, seed, n_jobs)
            done += 1
            if progress is not None:
                progress(done, total)
    return baseline, probabilities


__all__ = ["BASELINE", "MODELS", "ClassificationReport", "ModelComparison", "ModelPerformance",
           "evaluate_classification"]
