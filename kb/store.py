"""Opening the store: Chroma embedded (a folder under the data dir) or a Chroma server.

The store holds four collections: `<name>_chunks` (passages, searched by the chat),
`<name>_sentences` (each passage's sentences with their own vectors, used to pick answer
sentences; also the wordings of FAQ questions and claim reviews), `<name>_claims` (claim
reviews, matched only by `refuge check`) and `<name>_meta` (one record: the knowledge-base
version stamp), where `<name>` depends on the embedding model (`collection_name`). Vectors are
always computed by our own embedder; Chroma never embeds anything itself.
"""
from __future__ import annotations

import functools
import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kb.errors import ConfigError, RefugeError, StoreUnavailable
from kb.settings import Settings

# A small sync threshold makes Chroma flush its vector index to disk after each write, so a
# writer killed mid-ingest cannot leave the index behind the log (seen with the default 1000).
COSINE = {"hnsw:space": "cosine", "hnsw:sync_threshold": 2}


def _evict(path: str) -> None:
    """Drop this process's cached Chroma system for `path`. Embedded Chroma keeps one
    in-memory system per path per process and does not see another process's writes to
    its vector index, so a reader reopens after an ingest by another process."""
    from chromadb.api.shared_system_client import SharedSystemClient

    with SharedSystemClient._refcount_lock:
        system = SharedSystemClient._identifier_to_system.pop(path, None)
        SharedSystemClient._identifier_to_refcount.pop(path, None)
    if system is not None:
        system.stop()


def open_client(settings: Settings, fresh: bool = False):
    """A chromadb client: HttpClient when a host is set, else PersistentClient. With
    `fresh`, an embedded store is reopened from disk rather than from this process's cache."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False, chroma_otel_collection_endpoint="",
                                     **_token_settings(settings))
    try:
        if settings.server_mode:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        if fresh:
            _evict(str(settings.chroma_dir))
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:
        raise StoreUnavailable(f"cannot open the Chroma store at {_where(settings)}: {exc}") from exc


def _token_settings(settings: Settings) -> dict:
    """Chroma client settings that send REFUGE_CHROMA_TOKEN as X-Chroma-Token ({} without one)."""
    if not (settings.server_mode and settings.chroma_token):
        return {}
    return {"chroma_client_auth_provider": "chromadb.auth.token_authn.TokenAuthClientProvider",
            "chroma_client_auth_credentials": settings.chroma_token,
            "chroma_auth_token_transport_header": "X-Chroma-Token"}


def is_loopback(host: str) -> bool:
    import ipaddress

    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_server(settings: Settings, timeout: float = 5.0) -> None:
    """Refuse (ConfigError) a Chroma server off this machine that is not authenticated:
    without REFUGE_CHROMA_TOKEN, or one that lists collections to a request without it.
    chromadb 1.5.9 has CVE-2026-45829 (remote code through embedding-function settings)
    and no fix: its server must be reachable only by the app, and only with the token.
    An unreachable server is not refused here: the app starts and says "unavailable"."""
    import httpx

    if not settings.server_mode or is_loopback(settings.chroma_host):
        return
    where = _where(settings)
    if not settings.chroma_token:
        raise ConfigError(f"the Chroma server {where} is not on this machine and REFUGE_CHROMA_TOKEN is unset: "
                          "refusing to use it without authentication (docs/robustness.md, Chroma server)")
    url = f"http://{where}/api/v2/tenants/default_tenant/databases/default_database/collections"
    try:
        status = httpx.get(url, timeout=timeout).status_code
    except httpx.HTTPError:
        return
    if status not in (401, 403):
        raise ConfigError(f"the Chroma server {where} answers without a token (HTTP {status}): it must refuse "
                          "requests without X-Chroma-Token (docs/robustness.md, Chroma server)")


def _where(settings: Settings) -> str:
    return f"{settings.chroma_host}:{settings.chroma_port}" if settings.server_mode else str(settings.chroma_dir)


def is_unreachable(exc: BaseException) -> bool:
    """True when `exc` (or an error it wraps) means a Chroma server could not be reached:
    refused, reset or timed-out connections."""
    import httpx

    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, (httpx.TransportError, ConnectionError, TimeoutError)):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


@dataclass
class Store:
    client: object
    name: str
    settings: Settings | None = None
    # collection handles, made once per client: get_or_create_collection is a round trip
    # to a Chroma server (~2 ms) and was made on every access (evals/reports/bench)
    _handles: dict = field(default_factory=dict, repr=False)

    def reopen(self) -> None:
        """Re-read an embedded store from disk (after another process wrote to it)."""
        if self.settings is not None and not self.settings.server_mode:
            self.client = open_client(self.settings, fresh=True)
            self._handles = {}

    @contextmanager
    def guard(self):
        """Turn "the Chroma server cannot be reached" into StoreUnavailable. Nothing needs
        reopening afterwards: the HTTP client connects again on the next request, so
        answers resume as soon as the server is back."""
        try:
            yield
        except RefugeError:
            raise
        except Exception as exc:
            if is_unreachable(exc):
                where = _where(self.settings) if self.settings else self.name
                raise StoreUnavailable(f"cannot reach the Chroma store at {where}") from exc
            raise

    def _collection(self, suffix: str):
        if suffix in self._handles:
            return self._handles[suffix]
        try:
            handle = self.client.get_or_create_collection(f"{self.name}_{suffix}", embedding_function=None,
                                                          metadata=COSINE)
            self._handles[suffix] = handle
            return handle
        except Exception as exc:
            raise StoreUnavailable(f"cannot open collection {self.name}_{suffix}: {exc}") from exc

    @property
    def chunks(self):
        return self._collection("chunks")

    @property
    def sentences(self):
        return self._collection("sentences")

    @property
    def claims(self):
        """Claim reviews (kb/claims), kept apart from the passages the chat searches."""
        return self._collection("claims")

    def get_all(self, suffix: str, include: list[str], page: int = 5000) -> dict:
        """Every record of a collection, read in pages: one `get` of a whole collection
        fails past ~30,000 records ("too many SQL variables", seen at 100,000 chunks)."""
        out: dict = {"ids": [], **{name: [] for name in include}}
        collection = self._collection(suffix)
        while True:
            got = collection.get(include=include, limit=page, offset=len(out["ids"]))
            for name in out:
                out[name].extend(got[name])
            if len(got["ids"]) < page:
                return out

    def get_by_ids(self, suffix: str, ids: list[str], include: list[str], page: int = 5000) -> dict:
        """The records of `ids` in a collection, read `page` ids at a time (for the reason in `get_all`: at
        100,000 chunks the pair questions alone are ~30,000 ids)."""
        out: dict = {"ids": [], **{name: [] for name in include}}
        collection = self._collection(suffix)
        for start in range(0, len(ids), page):
            got = collection.get(ids=list(ids[start:start + page]), include=include)
            for name in out:
                out[name].extend(got[name])
        return out

    def read_state(self) -> dict:
        """The version stamp that ingest wrote last ({} if none)."""
        try:
            got = self._collection("meta").get(ids=["state"], include=["metadatas"])
        except StoreUnavailable:
            raise
        except Exception as exc:
            raise StoreUnavailable(f"cannot read the store state: {exc}") from exc
        return dict(got["metadatas"][0]) if got["ids"] else {}

    def write_state(self, state: dict) -> None:
        self._collection("meta").upsert(ids=["state"], embeddings=[[0.0]], metadatas=[state])

    def langchain(self, embedder):
        """The chunk collection as a LangChain `Chroma` vector store (same client)."""
        from langchain_chroma import Chroma

        return Chroma(client=self.client, collection_name=f"{self.name}_chunks",
                      embedding_function=embedder.langchain, collection_metadata=COSINE)


def sentence_id(chunk_id: str, position: int) -> str:
    """The id of a chunk's sentence in the `sentences` collection."""
    return f"{chunk_id}:s{position:02d}"


def ask_id(chunk_id: str, position: int) -> str:
    """The id of a FAQ pair's question (0) or paraphrase (1, 2, ...) in the `sentences` collection."""
    return f"{chunk_id}:q{position:02d}"


def collection_name(settings: Settings) -> str:
    """The name the store's collections start with: REFUGE_COLLECTION for the bundled model;
    for any other, followed by the model's name and a hash of its id (kb/embedder.py
    `model_id`), so two models' vectors never share a collection, and switching
    REFUGE_EMBED_MODEL finds an empty store ("run refuge ingest") rather than the other's."""
    if settings.bundled_model:
        return settings.collection
    from kb.embedder import model_id

    tag = re.sub(r"[^a-z0-9]+", "-", Path(settings.embed_model.split(":")[-1]).name.lower()).strip("-")[:32]
    digest = hashlib.sha256(model_id(settings.embed_model).encode()).hexdigest()[:8]
    return f"{settings.collection}-{tag or 'model'}-{digest}"


def open_store(settings: Settings, fresh: bool = False) -> Store:
    return Store(open_client(settings, fresh), collection_name(settings), settings)


def guarded(method):
    """Decorator for a method of an object with a `.store`: an unreachable store becomes
    StoreUnavailable (the CLI's one-line message, the page's "temporarily unavailable")."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self.store.guard():
            return method(self, *args, **kwargs)
    return wrapper
