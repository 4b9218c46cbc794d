"""The vector pack: the shipped knowledge base's vectors, kept beside its articles.

Embedding the shipped articles (chunks, sentences under their headings, the pairs' questions)
takes about ten minutes on two cores. The pack keeps their vectors in the repository, one file
per article, `kb/vectors/<model id>/<article id>.npy`, so a fresh clone's first ingest (and the
test suite's) reads them instead of embedding. It seeds the embedding cache (kb/embedcache.py):
a text is looked up by model and sha256, as in the cache, so a stale or missing pack only costs
embedding again, never a wrong vector. `refuge ingest --pack` writes it (maintainers, after an edit).

Vectors are stored at float16 precision. The cache rounds every vector the same way (`rounded`),
so a vector read from the pack equals one embedded on this machine, and a maintainer's index
equals a fresh clone's. Each file is one structured array sorted by hash: the same vectors give
the same bytes, so an unchanged article never shows up in a diff.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np

FOLDER = "vectors"
SUFFIX = ".npy"


def rounded(vector) -> np.ndarray:
    """`vector` at the precision the cache and the pack keep (float16), as float32."""
    return np.asarray(vector, dtype=np.float32).astype(np.float16).astype(np.float32)


def pack_dir(kb_dir: Path, model: str) -> Path:
    """The pack folder of model id `model` (kb.embedder.model_id) under `kb_dir`."""
    return Path(kb_dir) / FOLDER / re.sub(r"[^A-Za-z0-9@._-]+", "-", model)


def _dtype(dim: int) -> np.dtype:
    return np.dtype([("hash", "V32"), ("vec", "<f2", (dim,))])


def _rows(items: dict[str, np.ndarray]) -> np.ndarray:
    """The structured array for {sha256 hex: vector}, sorted by hash."""
    keys = sorted(items)
    dim = len(next(iter(items.values()))) if items else 0
    rows = np.zeros(len(keys), dtype=_dtype(dim))
    for i, key in enumerate(keys):
        rows[i] = (bytes.fromhex(key), np.asarray(items[key], dtype=np.float16))
    return rows


def write_article(folder: Path, art_id: str, items: dict[str, np.ndarray]) -> bool:
    """Write one article's vectors ({sha256 hex: vector}); False when the file already
    holds exactly these (nothing written). Written beside and renamed: never half a file."""
    path = Path(folder) / f"{art_id}{SUFFIX}"
    rows = _rows(items)
    if path.is_file() and _same(path, rows):
        return False
    folder.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(".part")
    with part.open("wb") as fh:
        np.save(fh, rows, allow_pickle=False)
    part.replace(path)
    return True


def _same(path: Path, rows: np.ndarray) -> bool:
    try:
        return path.read_bytes() == _bytes(rows)
    except OSError:
        return False


def _bytes(rows: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, rows, allow_pickle=False)
    return buf.getvalue()


def remove_others(folder: Path, keep: set[str]) -> list[str]:
    """Delete the files of articles not in `keep` (retired, deleted, draft); their ids."""
    gone = []
    for path in sorted(Path(folder).glob(f"*{SUFFIX}")):
        if path.stem not in keep:
            path.unlink()
            gone.append(path.stem)
    return gone


def read_pack(folder: Path) -> dict[str, np.ndarray]:
    """Every vector in the pack folder: {sha256 hex: float32 vector}; {} when there is none.
    A file that cannot be read is skipped (its texts are embedded instead)."""
    found: dict[str, np.ndarray] = {}
    for path in sorted(Path(folder).glob(f"*{SUFFIX}")):
        try:
            rows = np.load(path, allow_pickle=False)
            hashes, vectors = rows["hash"], rows["vec"].astype(np.float32)
        except (OSError, ValueError, KeyError, IndexError):
            continue
        found.update((bytes(h).hex(), v) for h, v in zip(hashes, vectors))
    return found
