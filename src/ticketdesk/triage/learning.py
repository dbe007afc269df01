"""The learning itself, pure CPU and no database: fit a workspace's bundle from its examples,
measure it on the newest tickets it did not see, predict and find similar tickets.

Features: TF-IDF over word 1-2-grams and char_wb 2-5-grams (shared by every field), fitted
once per run on every text (no labels: the vocabulary and IDF; the classifiers measured on the
newest 20 % never saw those tickets' values). Each single-valued field gets a multinomial
logistic regression (log-loss: its probabilities are the confidences, and the calibration
error on the held-out split is reported); labels get one binary logistic regression per label
(one-vs-rest). Every field's weights are kept as one matrix, so a prediction is one product
of the query's few non-zero features with it.

Similar tickets: cosine over MiniLM sentence embeddings when the `embeddings` extra is
installed (`embeddings.py`), else over word TF-IDF; ranked up by how likely the neighbour's
category is the one predicted for the query. Either is one matrix product over a stored,
L2-normalised matrix of the trained tickets.

Serialised with pickle: the blob is only ever written by our own training job into our own
table (`triage_models.blob`) and never taken from a request, an upload or a file, so loading
it runs no code that did not come from this process's own `dump`.
"""

from __future__ import annotations

import hashlib
import pickle
import time
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from ticketdesk.triage import embeddings
from ticketdesk.triage.examples import (
    FIELDS,
    MAX_TEXT_CHARS,
    SINGLE_FIELDS,
    TRAINING_KEY,
    Example,
    ticket_text,
)

__all__ = ["FIELDS", "MAX_TEXT_CHARS", "SINGLE_FIELDS", "TRAINING_KEY", "Example", "ticket_text"]

# A class needs this many training tickets to be learned (rarer ones are left out, never
# guessed); a field needs this many labelled tickets and two such classes to be learned.
MIN_CLASS_EXAMPLES = 5
MIN_FIELD_EXAMPLES = 20
HOLDOUT_SHARE = 0.2
# how much a neighbour's chance of sharing the predicted category ranks it up (0: pure text)
CATEGORY_BOOST = 0.5
LABEL_THRESHOLD = 0.5
# an open ticket this close in meaning may be a duplicate (cosines differ by backend: TF-IDF
# shares words, MiniLM puts any two support requests at 0.1-0.3 and paraphrases above 0.7)
DUPLICATE_MIN_SCORE = {"tfidf": 0.35, embeddings.NAME: 0.6}
# tickets newer than the model embedded per request for duplicates (a batch: ~0.1 s)
EMBED_LIMIT = 64
BUNDLE_FORMAT = 2
WARM_PASSES = 5

Floats = np.ndarray[Any, np.dtype[np.float32]]
Indices = np.ndarray[Any, np.dtype[np.int64]]
# A request's products (a query's features times the weights, its embedding times every
# ticket's) are `einsum`s, not `@`: as fast on one core, where `@` hands them to BLAS, whose
# threads wake for them and, on a loaded machine, wait milliseconds for a core (predict through
# the API with MiniLM, 1,500 trained tickets, load 7.5: p50 79 ms with `@`, 32 ms with einsum).


# -- features --------------------------------------------------------------------------------


class Vectoriser:
    """A fitted TF-IDF vectoriser and what one text's transform needs: sklearn's `transform`
    spends milliseconds validating a one-row call; this is its arithmetic (sublinear tf times
    idf, L2-normalised) on the few terms the text has."""

    def __init__(self, fitted: TfidfVectorizer, offset: int = 0) -> None:
        if not fitted.sublinear_tf or fitted.norm != "l2":
            raise ValueError("expects sublinear_tf and l2 norm")
        self.fitted, self.offset = fitted, offset
        self._prepare()

    def _prepare(self) -> None:
        self._analyse: Callable[[str], list[str]] = self.fitted.build_analyzer()
        self._vocabulary: dict[str, int] = self.fitted.vocabulary_
        self._idf: Floats = np.asarray(self.fitted.idf_, dtype=np.float32)

    def __getstate__(self) -> dict[str, Any]:
        return {"fitted": self.fitted, "offset": self.offset}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.fitted, self.offset = state["fitted"], state["offset"]
        self._prepare()

    @property
    def size(self) -> int:
        return len(self._vocabulary)

    def one(self, text: str) -> tuple[Indices, Floats]:
        vocabulary = self._vocabulary
        found = [
            (vocabulary[t], n) for t, n in Counter(self._analyse(text)).items() if t in vocabulary
        ]
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        index = np.fromiter((i for i, _ in found), dtype=np.int64, count=len(found))
        tf = np.fromiter((n for _, n in found), dtype=np.float32, count=len(found))
        values = (np.log(tf) + 1) * self._idf[index]
        values /= np.linalg.norm(values)
        return index + self.offset, values


def _words(min_df: int) -> TfidfVectorizer:
    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=min_df, dtype=np.float32)


class Features:
    """TF-IDF over word 1-2-grams and char_wb 2-5-grams (min_df 2), side by side."""

    def __init__(self) -> None:
        self.parts: list[Vectoriser] = []

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        words = _words(min_df=2)
        chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32
        )
        x_words, x_chars = words.fit_transform(texts), chars.fit_transform(texts)
        self.parts = [Vectoriser(words), Vectoriser(chars, offset=x_words.shape[1])]
        return sparse.hstack([x_words, x_chars], format="csr", dtype=np.float32)

    @property
    def size(self) -> int:
        return sum(p.size for p in self.parts)

    def one(self, text: str) -> tuple[Indices, Floats]:
        pieces = [p.one(text) for p in self.parts]
        return np.concatenate([i for i, _ in pieces]), np.concatenate([v for _, v in pieces])


# -- the fields' models, as one matrix -------------------------------------------------------


@dataclass
class Head:
    """One field's (or one label's) slice of the output columns."""

    name: str
    classes: list[str]
    start: int
    stop: int

    @property
    def binary(self) -> bool:  # one column: the probability of classes[1]
        return self.stop - self.start == 1


@dataclass
class Heads:
    weights: Floats  # (features, outputs)
    bias: Floats  # (outputs,)
    fields: list[Head]
    labels: list[Head]

    @classmethod
    def of(
        cls, size: int, fields: dict[str, LogisticRegression], labels: dict[str, LogisticRegression]
    ) -> Heads:
        columns, biases, heads = [], [], []
        start = 0
        for name, model in [*fields.items(), *labels.items()]:
            coef = np.asarray(model.coef_, dtype=np.float32)
            columns.append(coef.T)
            biases.append(np.asarray(model.intercept_, dtype=np.float32))
            heads.append(Head(name, [str(c) for c in model.classes_], start, start + len(coef)))
            start += len(coef)
        weights = np.hstack(columns) if columns else np.zeros((size, 0), dtype=np.float32)
        bias = np.concatenate(biases) if biases else np.zeros(0, dtype=np.float32)
        return cls(np.ascontiguousarray(weights), bias, heads[: len(fields)], heads[len(fields) :])

    def scores(self, index: Indices, values: Floats) -> Floats:
        """Every output's logit: the query's non-zero features times their weight rows."""
        return np.asarray(
            np.einsum("i,ij->j", values, self.weights[index]) + self.bias, dtype=np.float32
        )


def _probabilities(head: Head, scores: Floats) -> np.ndarray[Any, np.dtype[np.float64]]:
    z = scores[head.start : head.stop].astype(np.float64)
    if head.binary:
        p = 1 / (1 + np.exp(-z[0]))
        return np.array([1 - p, p])
    e = np.exp(z - z.max())
    return np.asarray(e / e.sum())


# -- similarity ------------------------------------------------------------------------------


class TfidfIndex:
    """Word TF-IDF of the trained tickets, stored term-major (each term's tickets): a query's
    cosines are the sum of its few terms' postings."""

    name = "tfidf"

    def __init__(self, texts: Sequence[str]) -> None:
        words = _words(min_df=1)
        matrix = words.fit_transform(texts) if texts else sparse.csr_matrix((0, 0))
        self.words = Vectoriser(words) if texts else None
        self.postings = sparse.csr_matrix(matrix.T, dtype=np.float32)
        self.rows = len(texts)

    def cosine(self, text: str) -> Floats:
        if self.words is None:
            return np.zeros(self.rows, dtype=np.float32)
        index, values = self.words.one(text)
        if not len(index):
            return np.zeros(self.rows, dtype=np.float32)
        return np.asarray(self.postings[index].T @ values, dtype=np.float32).ravel()

    def pairwise(self, text: str, others: Sequence[str]) -> Floats:
        if self.words is None or not others:
            return np.zeros(len(others), dtype=np.float32)
        vectors = self.words.fitted.transform([text, *others])
        return np.asarray((vectors[1:] @ vectors[0].T).toarray(), dtype=np.float32).ravel()


def text_key(text: str) -> bytes:
    """A short digest of a ticket's text, to reuse its embedding when the text is unchanged."""
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


# -- the bundle ------------------------------------------------------------------------------


@dataclass
class Bundle:
    """What one training run made for one workspace."""

    features: Features
    heads: Heads
    tfidf: TfidfIndex
    # MiniLM vectors of `ticket_ids` (float16, L2-normalised), None without the extra
    embedded: np.ndarray[Any, np.dtype[np.float16]] | None
    text_keys: list[bytes]
    ticket_ids: list[str]
    solved: np.ndarray[Any, np.dtype[np.bool_]]
    # each row's category as an index into the category head's classes (-1: none)
    category_index: np.ndarray[Any, np.dtype[np.int32]]
    format: int = BUNDLE_FORMAT
    # how the run went (reported in the run's metrics)
    embedding_seconds: float = 0.0
    embedded_now: int = 0

    def __post_init__(self) -> None:
        self._prepare()

    def _prepare(self) -> None:
        if getattr(self, "format", None) != BUNDLE_FORMAT:
            return  # an older bundle: load() refuses it
        self._vectors: Floats | None = (
            None if self.embedded is None else self.embedded.astype(np.float32)
        )
        self._rows = {ticket_id: i for i, ticket_id in enumerate(self.ticket_ids)}

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._prepare()

    @property
    def similarity(self) -> str:
        """The similarity this process serves: MiniLM when trained with it and installed here."""
        return embeddings.NAME if self._vectors is not None and embeddings.available() else "tfidf"

    @property
    def field_names(self) -> list[str]:
        names = [h.name for h in self.heads.fields]
        return [*names, "labels"] if self.heads.labels else names


@dataclass
class Suggestion:
    value: str
    confidence: float


@dataclass
class Prediction:
    fields: dict[str, Suggestion]
    labels: list[Suggestion]
    # the category head's probabilities, in its class order (empty without one)
    category_probabilities: np.ndarray[Any, np.dtype[np.float64]]


class Query:
    """One text as every part of a request reads it: its TF-IDF features and, on first use,
    its embedding (computed once for the prediction, the similar tickets and duplicates)."""

    def __init__(self, bundle: Bundle, text: str) -> None:
        self.bundle, self.text = bundle, text[:MAX_TEXT_CHARS]
        self.index, self.values = bundle.features.one(self.text)
        self._embedding: Floats | None = None

    def embedding(self) -> Floats | None:
        if self._embedding is None and self.bundle.similarity == embeddings.NAME:
            model = embeddings.embedder()
            if model is not None:
                self._embedding = model.embed([self.text])[0]
        return self._embedding


# -- training --------------------------------------------------------------------------------


def _classifier(start: LogisticRegression | None = None) -> LogisticRegression:
    """saga with a loose tolerance: within a point of the converged model's accuracy on
    BANKING77 at half the time (bench/triage.py). The refit on every ticket starts from the
    measured model's weights (`start`, same classes) and needs a third of the passes."""
    if start is None:
        return LogisticRegression(C=20, solver="saga", max_iter=15, tol=1e-3)
    model = LogisticRegression(C=20, solver="saga", max_iter=WARM_PASSES, tol=1e-3, warm_start=True)
    model.coef_, model.intercept_ = start.coef_.copy(), start.intercept_.copy()
    return model


def _label_classifier() -> LogisticRegression:
    return LogisticRegression(C=10, solver="liblinear")


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
    train: Sequence[Example],
    test: Sequence[Example],
    name: str,
    x_train: Any,
    x_test: Any,
    measured: dict[str, LogisticRegression],
) -> dict[str, Any]:
    values = [_value(e, name) for e in train]
    classes, reason = _learnable(values)
    if reason:
        return {"left_out": reason}
    rows = [i for i, v in enumerate(values) if v in classes]
    model = _fit(_classifier(), x_train[rows], [values[i] for i in rows])
    measured[name] = model
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
) -> dict[str, LogisticRegression]:
    return {
        name: _fit(_label_classifier(), x, [name in e.labels for e in examples]) for name in names
    }


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
    predicted = np.column_stack(
        [models[n].predict_proba(x_test)[:, 1] >= LABEL_THRESHOLD for n in names]
    )
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


def _holdout(examples: Sequence[Example], name: str | None = None) -> tuple[list[int], list[int]]:
    """Row numbers of the older 80 % and the newest 20 %; with a field's `name`, of the
    tickets that have a value for it (the newest tickets are often not yet categorised, and
    would otherwise leave a field almost nothing to be measured on)."""
    order = sorted(
        range(len(examples)), key=lambda i: (examples[i].created_at, examples[i].ticket_id)
    )
    if name is not None:
        order = [i for i in order if _value(examples[i], name) is not None]
    cut = int(len(order) * (1 - HOLDOUT_SHARE))
    return order[:cut], order[cut:]


def _evaluate_field(
    examples: Sequence[Example], name: str, x: Any, measured: dict[str, LogisticRegression]
) -> dict[str, Any]:
    """One field measured on the newest 20 % of the tickets that have a value for it."""
    train_rows, test_rows = _holdout(examples, name)
    train = [examples[i] for i in train_rows]
    test = [examples[i] for i in test_rows]
    return _evaluate_single(train, test, name, x[train_rows], x[test_rows], measured)


def evaluate(
    examples: Sequence[Example],
    x: Any | None = None,
    measured: dict[str, LogisticRegression] | None = None,
) -> dict[str, dict[str, Any]]:
    """Fit on the older 80 % and measure on the newest 20 %, per field: of the tickets with a
    value for a single-valued field, of every ticket for labels (`x`: every example's features,
    fitted once for the run; `measured` receives the fields' measured models)."""
    measured = {} if measured is None else measured
    train_rows, test_rows = _holdout(examples)
    if len(train_rows) < MIN_FIELD_EXAMPLES or not test_rows:
        reason = {"left_out": f"fewer than {MIN_FIELD_EXAMPLES} tickets to learn from"}
        return {name: dict(reason) for name in FIELDS}
    if x is None:
        x = Features().fit_transform([e.text for e in examples])
    train = [examples[i] for i in train_rows]
    test = [examples[i] for i in test_rows]
    x_train, x_test = x[train_rows], x[test_rows]
    metrics = {name: _evaluate_field(examples, name, x, measured) for name in SINGLE_FIELDS}
    metrics["labels"] = _evaluate_labels(train, test, x_train, x_test)
    return metrics


Embedded = tuple[np.ndarray[Any, np.dtype[np.float16]] | None, int, float]


def _embed(examples: Sequence[Example], keys: list[bytes], previous: Bundle | None) -> Embedded:
    """Every example's MiniLM vector: the previous model's where the text is unchanged, the
    others computed in batches (None without the extra); how many were computed, and the
    seconds it took."""
    started = time.perf_counter()
    model = embeddings.embedder(embeddings.TRAINING_THREADS)
    if model is None:
        return None, 0, 0.0
    vectors = np.zeros((len(examples), embeddings.DIMENSION), dtype=np.float16)
    known: dict[bytes, int] = {}
    if previous is not None and previous.embedded is not None:
        known = {key: i for i, key in enumerate(previous.text_keys)}
    missing = []
    for row, key in enumerate(keys):
        old = known.get(key)
        if old is not None and previous is not None and previous.embedded is not None:
            vectors[row] = previous.embedded[old]
        else:
            missing.append(row)
    if missing:
        vectors[missing] = model.embed([examples[i].text for i in missing]).astype(np.float16)
    return vectors, len(missing), round(time.perf_counter() - started, 2)


def fit(
    examples: Sequence[Example],
    learned: Sequence[str],
    *,
    x: Any | None = None,
    features: Features | None = None,
    embed: bool = True,
    previous: Bundle | None = None,
    measured: dict[str, LogisticRegression] | None = None,
    embedding: Callable[[], Embedded] | None = None,
) -> Bundle:
    """Refit the fields that proved learnable on every example (from the `measured` model's
    weights where it learned the same classes)."""
    texts = [e.text for e in examples]
    if features is None or x is None:
        features = Features()
        x = features.fit_transform(texts)
    classifiers = {}
    for name in SINGLE_FIELDS:
        if name not in learned:
            continue
        values = [_value(e, name) for e in examples]
        classes, _reason = _learnable(values)
        rows = [i for i, v in enumerate(values) if v in classes]
        if len(classes) >= 2:
            start = (measured or {}).get(name)
            if start is not None and [str(c) for c in start.classes_] != sorted(classes):
                start = None
            classifiers[name] = _fit(_classifier(start), x[rows], [values[i] for i in rows])
    label_names = _label_names(examples) if "labels" in learned else []
    labels = _fit_labels(examples, x, label_names) if label_names else {}
    keys = [text_key(t) for t in texts]
    category = classifiers.get("category")
    vectors, computed, seconds = None, 0, 0.0
    if embedding is not None:
        vectors, computed, seconds = embedding()
    elif embed:
        vectors, computed, seconds = _embed(examples, keys, previous)
    bundle = Bundle(
        features=features,
        heads=Heads.of(features.size, classifiers, labels),
        tfidf=TfidfIndex(texts),
        embedded=vectors,
        text_keys=keys,
        ticket_ids=[e.ticket_id for e in examples],
        solved=np.array([e.solved for e in examples], dtype=bool),
        category_index=_category_index(category, examples),
    )
    bundle.embedding_seconds, bundle.embedded_now = seconds, computed
    return bundle


def _category_index(
    model: LogisticRegression | None, examples: Sequence[Example]
) -> np.ndarray[Any, np.dtype[np.int32]]:
    positions = {str(c): i for i, c in enumerate(model.classes_)} if model is not None else {}
    return np.array([positions.get(e.category or "", -1) for e in examples], dtype=np.int32)


def train(
    examples: Sequence[Example], *, embed: bool = True, previous: Bundle | None = None
) -> tuple[Bundle | None, dict[str, dict[str, Any]]]:
    """Measure, then refit on everything; no bundle when no field could be learned. The
    features are fitted once and serve both; `embed`: MiniLM vectors for similarity when the
    extra is installed (reusing `previous`'s for unchanged texts), computed in a second
    thread while the classifiers fit (onnxruntime and the solvers leave the GIL)."""
    train_rows, test_rows = _holdout(examples)
    if len(train_rows) < MIN_FIELD_EXAMPLES or not test_rows:
        return None, evaluate(examples)  # every field left out, and why (nothing fitted)
    keys = [text_key(e.text) for e in examples]
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = (
            pool.submit(_embed, examples, keys, previous)
            if embed and embeddings.available()
            else None
        )
        features = Features()
        x = features.fit_transform([e.text for e in examples])
        measured: dict[str, LogisticRegression] = {}
        metrics = evaluate(examples, x, measured)
        learned = [name for name, figures in metrics.items() if "left_out" not in figures]
        if not learned:
            return None, metrics
        bundle = fit(
            examples,
            learned,
            x=x,
            features=features,
            embed=False,
            measured=measured,
            embedding=pending.result if pending is not None else None,
        )
    metrics[TRAINING_KEY] = {
        "similarity": bundle.similarity,
        "embedding_seconds": bundle.embedding_seconds,
        "embedded": bundle.embedded_now,
        "features": features.size,
    }
    return bundle, metrics


# -- serving ---------------------------------------------------------------------------------


def predict(bundle: Bundle, text: str | Query) -> Prediction:
    query = text if isinstance(text, Query) else Query(bundle, text)
    scores = bundle.heads.scores(query.index, query.values)
    fields: dict[str, Suggestion] = {}
    category_probabilities = np.zeros(0)
    for head in bundle.heads.fields:
        probabilities = _probabilities(head, scores)
        best = int(probabilities.argmax())
        fields[head.name] = Suggestion(head.classes[best], round(float(probabilities[best]), 4))
        if head.name == "category":
            category_probabilities = probabilities
    labels = []
    for head in bundle.heads.labels:
        probability = float(_probabilities(head, scores)[1])
        if probability >= LABEL_THRESHOLD:
            labels.append(Suggestion(head.name, round(probability, 4)))
    labels.sort(key=lambda s: -s.confidence)
    return Prediction(fields, labels, category_probabilities)


def _cosine(query: Query) -> Floats:
    """The query's cosine with every trained ticket, in the active similarity."""
    bundle = query.bundle
    vector = query.embedding()
    if vector is not None and bundle._vectors is not None:
        return np.asarray(np.einsum("ij,j->i", bundle._vectors, vector), dtype=np.float32)
    return bundle.tfidf.cosine(query.text)


def similar(
    bundle: Bundle,
    text: str | Query,
    prediction: Prediction,
    *,
    limit: int,
    solved_only: bool = False,
    exclude: set[str] | None = None,
) -> list[tuple[str, float]]:
    """The trained tickets closest to `text`: (ticket id, cosine), best first."""
    if not bundle.ticket_ids:
        return []
    query = text if isinstance(text, Query) else Query(bundle, text)
    cosine = _cosine(query)
    ranking = cosine.astype(np.float64)
    if len(prediction.category_probabilities):
        known = bundle.category_index >= 0
        chance = np.zeros(len(ranking))
        chance[known] = prediction.category_probabilities[bundle.category_index[known]]
        ranking *= 1 + CATEGORY_BOOST * chance
    if solved_only:
        ranking[~bundle.solved] = -1
    ranking[cosine <= 0] = -1
    wanted = min(limit + len(exclude or ()), len(ranking) - 1)
    top = np.argpartition(-ranking, wanted)[: wanted + 1]
    found = []
    for index in sorted(top, key=lambda i: -ranking[i]):
        ticket_id = bundle.ticket_ids[index]
        if ranking[index] < 0 or (exclude and ticket_id in exclude):
            continue
        found.append((ticket_id, round(float(cosine[index]), 4)))
        if len(found) == limit:
            break
    return found


def text_similarity(
    bundle: Bundle, text: str | Query, others: Sequence[tuple[str, str]]
) -> list[float]:
    """Cosine between `text` and each of `others` ((ticket id, text)): a trained ticket's
    stored vector (the ticket as training read it), the first EMBED_LIMIT others embedded here
    (the rest score 0), or with TF-IDF every one vectorised here."""
    if not others:
        return []
    query = text if isinstance(text, Query) else Query(bundle, text)
    vector = query.embedding()
    if vector is None or bundle._vectors is None:
        scores = bundle.tfidf.pairwise(query.text, [t[:MAX_TEXT_CHARS] for _, t in others])
        return [round(float(s), 4) for s in scores]
    rows: list[Floats | None] = []
    missing = []
    for position, (ticket_id, _text) in enumerate(others):
        row = bundle._rows.get(ticket_id)
        if row is not None:
            rows.append(bundle._vectors[row])
        else:
            rows.append(None)
            missing.append(position)
    missing = missing[:EMBED_LIMIT]
    model = embeddings.embedder()
    if missing and model is not None:
        fresh = model.embed([others[i][1][:MAX_TEXT_CHARS] for i in missing])
        for position, computed in zip(missing, fresh, strict=True):
            rows[position] = computed
    return [0.0 if r is None else round(float(r @ vector), 4) for r in rows]


def dump(bundle: Bundle) -> bytes:
    return zlib.compress(pickle.dumps(bundle, protocol=5), 3)


def load(blob: bytes) -> Bundle:
    # trusted: written only by dump() in our training job (see the module docstring)
    bundle = pickle.loads(zlib.decompress(blob))  # noqa: S301
    if not isinstance(bundle, Bundle) or getattr(bundle, "format", None) != BUNDLE_FORMAT:
        raise ValueError("not a triage bundle of this version")
    return bundle
