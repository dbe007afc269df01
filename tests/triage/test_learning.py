"""The learning without the desk around it: one text's fast path computes what sklearn does,
every field's model in one matrix gives the fitted models' probabilities, and a retrain
embeds only the tickets whose text is new."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from scipy import sparse

from tests.triage.conftest import KINDS, generated
from ticketdesk.triage import embeddings, learning

needs_minilm = pytest.mark.skipif(
    not embeddings.available(), reason="the embeddings extra is not installed"
)


def examples(per_kind: int, seed: int = 7) -> list[learning.Example]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        learning.Example(
            ticket_id=f"t{index}-{seed}",
            created_at=start + timedelta(minutes=index),
            text=row["subject"],
            solved=True,
            category=row["category"],
            priority=KINDS[row["category"]]["priority"],
            labels=list(KINDS[row["category"]]["labels"]),
        )
        for index, row in enumerate(generated(per_kind, seed))
    ]


def test_one_text_is_vectorised_as_sklearn_does():
    texts = [e.text for e in examples(20)]
    features = learning.Features()
    features.fit_transform(texts)
    for text in ["Refund for my annual plan", "The API crashes, error 500!", "zzz qqq"]:
        expected = np.hstack(
            [part.fitted.transform([text]).toarray()[0] for part in features.parts]
        )
        index, values = features.one(text)
        got = np.zeros(features.size, dtype=np.float32)
        got[index] = values
        np.testing.assert_allclose(got, expected, atol=1e-6)


def test_every_field_in_one_matrix_gives_the_fitted_models_probabilities():
    rows = examples(20)
    features = learning.Features()
    x = features.fit_transform([e.text for e in rows])
    category = learning._fit(learning._classifier(), x, [e.category for e in rows])
    priority = learning._fit(learning._classifier(), x, [e.priority for e in rows])
    refund = learning._fit(learning._label_classifier(), x, ["refund" in e.labels for e in rows])
    heads = learning.Heads.of(
        features.size, {"category": category, "priority": priority}, {"refund": refund}
    )
    for text in ["I was charged twice", "Delivery of the parcel is late", "crash"]:
        scores = heads.scores(*features.one(text))
        for head, model in zip(heads.fields, (category, priority), strict=True):
            expected = model.predict_proba(_row(features, text))[0]
            np.testing.assert_allclose(learning._probabilities(head, scores), expected, atol=1e-5)
        expected_refund = refund.predict_proba(_row(features, text))[0]
        got = learning._probabilities(heads.labels[0], scores)
        np.testing.assert_allclose(got, expected_refund, atol=1e-5)


def _row(features: learning.Features, text: str) -> sparse.csr_matrix:
    return sparse.hstack([p.fitted.transform([text]) for p in features.parts], format="csr")


def test_a_bundle_survives_its_blob_and_refuses_another_format():
    bundle, metrics = learning.train(examples(20), embed=False)
    assert bundle is not None
    assert metrics[learning.TRAINING_KEY]["similarity"] == "tfidf"
    loaded = learning.load(learning.dump(bundle))
    text = "Refund for the invoice please"
    before, after = learning.predict(bundle, text), learning.predict(loaded, text)
    assert (after.fields, after.labels) == (before.fields, before.labels)
    assert learning.similar(loaded, text, learning.predict(loaded, text), limit=3)
    loaded.format = 1
    with pytest.raises(ValueError, match="version"):
        learning.load(learning.dump(loaded))


@needs_minilm
def test_a_retrain_embeds_only_the_tickets_whose_text_is_new():
    first_rows = examples(20)
    first, metrics = learning.train(first_rows)
    assert first is not None and first.similarity == "minilm"
    assert metrics[learning.TRAINING_KEY]["embedded"] == len(first_rows)
    newer = examples(2, seed=99)  # six tickets, new ids (a few texts repeat older ones)
    new_texts = {e.text for e in newer} - {e.text for e in first_rows}
    second, metrics = learning.train(first_rows + newer, previous=first)
    assert second is not None
    assert metrics[learning.TRAINING_KEY]["embedded"] == sum(e.text in new_texts for e in newer)
    # the reused vectors are the ones computed the first time
    assert second.embedded is not None and first.embedded is not None
    np.testing.assert_array_equal(second.embedded[: len(first_rows)], first.embedded)


@needs_minilm
def test_minilm_finds_a_paraphrase_that_shares_no_word():
    rows = examples(20)
    with_minilm, _ = learning.train(rows)
    with_tfidf, _ = learning.train(rows, embed=False)
    assert with_minilm is not None and with_tfidf is not None
    text = "Package never showed up"
    by_id = {e.ticket_id: e for e in rows}
    found = learning.similar(with_minilm, text, learning.predict(with_minilm, text), limit=3)
    assert [by_id[t].category for t, _ in found] == ["shipping"] * 3


def test_too_few_tickets_leave_every_field_out_and_fit_nothing():
    bundle, metrics = learning.train(examples(3)[:7])
    assert bundle is None
    assert set(metrics) == set(learning.FIELDS)
    assert all("fewer than" in figures["left_out"] for figures in metrics.values())


def test_a_field_is_measured_on_the_newest_tickets_that_have_it():
    # the newest 40 % of the desk's tickets are not categorised yet (just arrived): the
    # category is still measured on the newest 20 % of the categorised ones, not on nothing
    rows = examples(20)
    fresh = int(len(rows) * 0.4)
    for example in rows[-fresh:]:
        example.category = None
    categorised = len(rows) - fresh
    metrics = learning.evaluate(rows)
    assert metrics["category"]["support"] == categorised - int(categorised * 0.8)
    assert metrics["category"]["accuracy"] > metrics["category"]["baseline_accuracy"]
    # priority is on every ticket: measured on the newest 20 % of all of them
    assert metrics["priority"]["support"] == len(rows) - int(len(rows) * 0.8)
