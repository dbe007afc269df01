"""MiniLM multiplies in int8 (its weights are stored so) and finds the same neighbours as the
float32 graph it ships with."""

from __future__ import annotations

import numpy as np
import pytest

from tests.triage.conftest import KINDS
from ticketdesk.triage import embeddings, int8_graph

needs_minilm = pytest.mark.skipif(
    not embeddings.available(), reason="the embeddings extra is not installed"
)

# each a paraphrase of the one beside it, with few words in common
PAIRS = [
    ("My package never showed up", "The parcel has not been delivered yet"),
    ("I was billed twice this month", "There are two charges on my card for one order"),
    ("The app closes as soon as I sign in", "Mobile application crashes at login"),
    ("How do I change my password?", "I want to reset my login credentials"),
    ("Please cancel my subscription", "I would like to stop my plan"),
]


def _sentences() -> list[str]:
    subjects = [s.format(thing=k["things"][0]) for k in KINDS.values() for s in k["subjects"]]
    return [*subjects, *(text for pair in PAIRS for text in pair)]


@needs_minilm
def test_every_weight_matmul_runs_in_int8_and_a_second_pass_changes_nothing():
    files = embeddings.model_files()
    assert files is not None
    shipped = files[0].read_bytes()
    rewritten, count = int8_graph.with_int8_matmuls(shipped)
    # six layers, each with query, key, value, attention output and the two feed-forward ones
    assert count == 36
    assert rewritten != shipped
    assert int8_graph.with_int8_matmuls(rewritten) == (rewritten, 0)


@needs_minilm
def test_int8_embeddings_agree_with_the_shipped_float32_graph():
    files = embeddings.model_files()
    assert files is not None
    int8, shipped = embeddings.Embedder(*files), embeddings.Embedder(*files, int8=False)
    assert (int8.int8_matmuls, shipped.int8_matmuls) == (36, 0)
    texts = _sentences()
    a, b = int8.embed(texts), shipped.embed(texts)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    assert (a * b).sum(axis=1).min() > 0.97
    # each paraphrase's nearest sentence is its pair, with either graph
    start = len(texts) - 2 * len(PAIRS)
    for vectors in (a, b):
        cosine = vectors[start:] @ vectors[start:].T
        np.fill_diagonal(cosine, -1)
        nearest = cosine.argmax(axis=1)
        assert list(nearest) == [i ^ 1 for i in range(len(nearest))]


@needs_minilm
def test_a_query_alone_lands_next_to_the_same_text_embedded_in_a_training_batch():
    # the activations are quantised per batch, so a text's vector moves a little with its
    # batch (cosine >= 0.987 here): the stored vector stays the query's nearest
    model = embeddings.embedder()
    assert model is not None
    texts = _sentences()
    stored = model.embed(texts)
    for index, text in enumerate(texts):
        alone = model.embed([text])[0]
        cosine = stored @ alone
        assert cosine[index] > 0.98
        assert int(cosine.argmax()) == index
