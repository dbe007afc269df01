"""The learning itself, pure CPU and no database: fit a workspace's bundle from its examples,
measure it on the newest tickets it did not see, predict and find similar tickets.

Features: TF-IDF over word 1-2-grams and char_wb 2-5-grams (shared by every field). Each
single-valued field gets a multinomial logistic regression (log-loss: its probabilities are
the confidences, and the calibration error on the held-out split is reported); labels get one
binary logistic regression per label (one-vs-rest). Similar tickets: cosine over word TF-IDF,
ranked up by how likely the neighbour's category is the one predicted for the query.

Serialised with pickle: the blob is only ever written by our own training job into our own
table (`triage_models.blob`) and never taken from a request, an upload or a file, so loading
it runs no code that did not come from this process's own `dump`.
"""

from __future__ import annotations

import pickle
import warnings
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.pipeline import FeatureUnion

SINGLE_FIELDS = ("type", "category", "priority", "team")
FIELDS = (*SINGLE_FIELDS, "labels")
# A class needs this many training tickets to be learned (rarer ones are left out, never
# guessed); a field needs this many labelled tickets and two such classes to be learned.
MIN_CLASS_EXAMPLES = 5
MIN_FIELD_EXAMPLES = 20
HOLDOUT_SHARE = 0.2
MAX_TEXT_CHARS = 2_000
# how much a neighbour's chance of sharing the predicted category ranks it up (0: pure text)
CATEGORY_BOOST = 0.5
LABEL_THRESHOLD = 0.5
BUNDLE_FORMAT = 1


@dataclass
class Example:
    """One ticket as training sees it (team: the team id as text)."""

    ticket_id: str
    created_at: datetime
    text: str
    solved: bool
    type: str | None = None
    category: str | None = None
    priority: str | None = None
    team: str | None = None
    labels: list[str] = field(default_factory=list)


@dataclass
class Bundle:
    """What one training run made for one workspace."""

    features: FeatureUnion
    classifiers: dict[str, LogisticRegression]
    label_names: list[str]
    label_classifiers: list[LogisticRegression]
    words: TfidfVectorizer
    matrix: sparse.csr_matrix  # word TF-IDF rows of `ticket_ids`, L2-normalised
    ticket_ids: list[str]
    solved: np.ndarray[Any, np.dtype[np.bool_]]
    # each row's category as an index into the category classifier's classes (-1: none)
    category_index: np.ndarray[Any, np.dtype[np.int32]]
    format: int = BUNDLE_FORMAT


@dataclass
class Suggestion:
    value: str
    confidence: float


@dataclass
class Prediction:
    fields: dict[str, Suggestion]
    labels: list[Suggestion]
    # the category classifier's probabilities, in its class order (empty without one)
    category_probabilities: np.ndarray[Any, np.dtype[np.float64]]


def ticket_text(subject: str, description: str | None, first_message: str | None = None) -> str:
    """What the model reads of a ticket: subject, description and the first customer message."""
    parts = [subject, description or "", first_message or ""]
    return "\n".join(p for p in parts if p)[:MAX_TEXT_CHARS]


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, dtype=np.float32),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    min_df=2,
                    dtype=np.float32,
                ),
            ),
        ]
    )


def _classifier() -> LogisticRegression:
    # saga with a loose tolerance: within a point of the converged model's accuracy on
    # BANKING77 at half the time (bench/triage.py)
    return LogisticRegression(C=20, solver="saga", max_iter=15, tol=1e-3)


def _fit(model: LogisticRegression, x: Any, y: Sequence[Any]) -> LogisticRegression:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    return model


def _value(example: Example, name: str) -> str | None:
    value: str | None = getattr(example, name)
    return value


def _learnable(values: Sequence[str | None]) -> tuple[set[str], str | None]:
    """The classes with enough examples, or why the field is left out."""
    labelled = [v for v in values if v is not None]
    counts = Counter(labelled)
    classes = {v for v, n in counts.items() if n >= MIN_CLASS_EXAMPLES}
    if len(labelled) < MIN_FIELD_EXAMPLES:
        return set(), f"fewer than {MIN_FIELD_EXAMPLES} tickets have a value"
    if len(classes) < 2:
        return set(), f"fewer than two values have {MIN_CLASS_EXAMPLES} tickets each"
    return classes, None


def _calibration_error(confidence: np.ndarray[Any, Any], correct: np.ndarray[Any, Any]) -> float:
    """Expected calibration error over ten confidence bins (0: confidences mean what they say)."""
    total = 0.0
    edges = np.linspace(0, 1, 11)
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            total += float(inside.mean()) * abs(
                float(correct[inside].mean()) - float(confidence[inside].mean())
            )
    return round(total, 4)


def _evaluate_single(
    train: Sequence[Example], test: Sequence[Example], name: str, x_train: Any, x_test: Any
) -> dict[str, Any]:
    values = [_value(e, name) for e in train]
    classes, reason = _learnable(values)
    if reason:
        return {"left_out": reason}
    rows = [i for i, v in enumerate(values) if v in classes]
    model = _fit(_classifier(), x_train[rows], [values[i] for i in rows])
    truth_rows = [i for i, e in enumerate(test) if _value(e, name) is not None]
    if not truth_rows:
        return {"left_out": "no held-out ticket has a value"}
    truth = np.array([_value(test[i], name) for i in truth_rows], dtype=object)
    probabilities = model.predict_proba(x_test[truth_rows])
    predicted = model.classes_[probabilities.argmax(axis=1)]
    majority = Counter(values[i] for i in rows).most_common(1)[0][0]
    correct = predicted == truth
    return {
        "accuracy": round(float(correct.mean()), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
        "support": len(truth_rows),
        "baseline_accuracy": round(float((truth == majority).mean()), 4),
        "calibration_error": _calibration_error(probabilities.max(axis=1), correct),
        "classes": len(classes),
    }


def _label_names(examples: Sequence[Example]) -> list[str]:
    counts = Counter(label for e in examples for label in set(e.labels))
    total = len(examples)
    return sorted(
        label
        for label, n in counts.items()
        if n >= MIN_CLASS_EXAMPLES and total - n >= MIN_CLASS_EXAMPLES
    )


def _fit_labels(
    examples: Sequence[Example], x: Any, names: Sequence[str]
) -> list[LogisticRegression]:
    fitted = []
    for name in names:
        target = [name in e.labels for e in examples]
        fitted.append(_fit(LogisticRegression(C=10, max_iter=200), x, target))
    return fitted


def _evaluate_labels(
    train: Sequence[Example], test: Sequence[Example], x_train: Any, x_test: Any
) -> dict[str, Any]:
    if len(train) < MIN_FIELD_EXAMPLES:
        return {"left_out": f"fewer than {MIN_FIELD_EXAMPLES} tickets"}
    names = _label_names(train)
    if not names or not test:
        return {"left_out": f"no label is on {MIN_CLASS_EXAMPLES} tickets (and off as many)"}
    models = _fit_labels(train, x_train, names)
    truth = np.array([[n in e.labels for n in names] for e in test])
    predicted = np.column_stack([m.predict_proba(x_test)[:, 1] >= LABEL_THRESHOLD for m in models])
    common = Counter(frozenset(n for n in names if n in e.labels) for e in train).most_common(1)
    majority = np.array([n in common[0][0] for n in names])
    return {
        # a ticket counts as right when its whole label set is (the labels it may carry)
        "accuracy": round(float((predicted == truth).all(axis=1).mean()), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
        "support": len(test),
        "baseline_accuracy": round(float((truth == majority).all(axis=1).mean()), 4),
        "classes": len(names),
    }


def evaluate(examples: Sequence[Example]) -> dict[str, dict[str, Any]]:
    """Fit on the older 80 % and measure on the newest 20 %, per field."""
    ordered = sorted(examples, key=lambda e: (e.created_at, e.ticket_id))
    cut = int(len(ordered) * (1 - HOLDOUT_SHARE))
    train, test = ordered[:cut], ordered[cut:]
    if len(train) < MIN_FIELD_EXAMPLES or not test:
        reason = {"left_out": f"fewer than {MIN_FIELD_EXAMPLES} tickets to learn from"}
        return {name: dict(reason) for name in FIELDS}
    features = _features()
    x_train = features.fit_transform([e.text for e in train])
    x_test = features.transform([e.text for e in test])
    metrics = {name: _evaluate_single(train, test, name, x_train, x_test) for name in SINGLE_FIELDS}
    metrics["labels"] = _evaluate_labels(train, test, x_train, x_test)
    return metrics


def fit(examples: Sequence[Example], learned: Sequence[str]) -> Bundle:
    """Refit the fields that proved learnable on every example."""
    texts = [e.text for e in examples]
    features = _features()
    x = features.fit_transform(texts)
    classifiers = {}
    for name in SINGLE_FIELDS:
        if name not in learned:
            continue
        values = [_value(e, name) for e in examples]
        classes, _reason = _learnable(values)
        rows = [i for i, v in enumerate(values) if v in classes]
        if len(classes) >= 2:
            classifiers[name] = _fit(_classifier(), x[rows], [values[i] for i in rows])
    label_names = _label_names(examples) if "labels" in learned else []
    label_classifiers = _fit_labels(examples, x, label_names) if label_names else []
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
    matrix = sparse.csr_matrix(words.fit_transform(texts) if texts else np.zeros((0, 0)))
    return Bundle(
        features=features,
        classifiers=classifiers,
        label_names=label_names,
        label_classifiers=label_classifiers,
        words=words,
        matrix=matrix,
        ticket_ids=[e.ticket_id for e in examples],
        solved=np.array([e.solved for e in examples], dtype=bool),
        category_index=_category_index(classifiers.get("category"), examples),
    )


def _category_index(
    model: LogisticRegression | None, examples: Sequence[Example]
) -> np.ndarray[Any, np.dtype[np.int32]]:
    positions = {str(c): i for i, c in enumerate(model.classes_)} if model is not None else {}
    return np.array([positions.get(e.category or "", -1) for e in examples], dtype=np.int32)


def train(examples: Sequence[Example]) -> tuple[Bundle | None, dict[str, dict[str, Any]]]:
    """Measure, then refit on everything; no bundle when no field could be learned."""
    metrics = evaluate(examples)
    learned = [name for name, figures in metrics.items() if "left_out" not in figures]
    if not learned:
        return None, metrics
    return fit(examples, learned), metrics


def predict(bundle: Bundle, text: str) -> Prediction:
    x = bundle.features.transform([text[:MAX_TEXT_CHARS]])
    fields: dict[str, Suggestion] = {}
    category_probabilities = np.zeros(0)
    for name, model in bundle.classifiers.items():
        probabilities = model.predict_proba(x)[0]
        best = int(probabilities.argmax())
        fields[name] = Suggestion(str(model.classes_[best]), round(float(probabilities[best]), 4))
        if name == "category":
            category_probabilities = probabilities
    labels = []
    for name, model in zip(bundle.label_names, bundle.label_classifiers, strict=True):
        probability = float(model.predict_proba(x)[0, 1])
        if probability >= LABEL_THRESHOLD:
            labels.append(Suggestion(name, round(probability, 4)))
    labels.sort(key=lambda s: -s.confidence)
    return Prediction(fields, labels, category_probabilities)


def similar(
    bundle: Bundle,
    text: str,
    prediction: Prediction,
    *,
    limit: int,
    solved_only: bool = False,
    exclude: set[str] | None = None,
) -> list[tuple[str, float]]:
    """The trained tickets closest to `text`: (ticket id, cosine), best first."""
    if bundle.matrix.shape[0] == 0:
        return []
    query = bundle.words.transform([text[:MAX_TEXT_CHARS]])
    cosine = np.asarray(bundle.matrix @ query.toarray().ravel()).ravel()
    ranking = cosine.copy()
    if len(prediction.category_probabilities):
        known = bundle.category_index >= 0
        chance = np.zeros(len(ranking))
        chance[known] = prediction.category_probabilities[bundle.category_index[known]]
        ranking *= 1 + CATEGORY_BOOST * chance
    if solved_only:
        ranking[~bundle.solved] = -1
    ranking[cosine <= 0] = -1
    wanted = limit + len(exclude or ())
    top = np.argpartition(-ranking, min(wanted, len(ranking) - 1))[: wanted + 1]
    found = []
    for index in sorted(top, key=lambda i: -ranking[i]):
        ticket_id = bundle.ticket_ids[index]
        if ranking[index] < 0 or (exclude and ticket_id in exclude):
            continue
        found.append((ticket_id, round(float(cosine[index]), 4)))
        if len(found) == limit:
            break
    return found


def text_similarity(bundle: Bundle, text: str, others: Sequence[str]) -> list[float]:
    """Cosine between `text` and each of `others` (tickets the model was not trained on)."""
    if not others:
        return []
    vectors = bundle.words.transform([text[:MAX_TEXT_CHARS], *(o[:MAX_TEXT_CHARS] for o in others)])
    scores = (vectors[1:] @ vectors[0].T).toarray().ravel()
    return [round(float(s), 4) for s in scores]


def dump(bundle: Bundle) -> bytes:
    return zlib.compress(pickle.dumps(bundle, protocol=5), 3)


def load(blob: bytes) -> Bundle:
    # trusted: written only by dump() in our training job (see the module docstring)
    bundle = pickle.loads(zlib.decompress(blob))  # noqa: S301
    if not isinstance(bundle, Bundle) or bundle.format != BUNDLE_FORMAT:
        raise ValueError("not a triage bundle of this version")
    return bundle
