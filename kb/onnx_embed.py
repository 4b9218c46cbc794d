"""The ONNX embedder: onnxruntime + `tokenizers`, no torch, no transformers.

`refuge serve` embeds each question with this when an export of the model exists (or
REFUGE_EMBED_BACKEND=onnx asks for it): importing and loading it takes ~0.3 s against ~5 s
for sentence-transformers, and one question takes ~5 ms against ~12 ms. `refuge ingest`
embeds documents with it too, on every core. Its vectors equal the sentence-transformers
ones to cosine >= 0.9999 (tests/test_onnx_embed.py).

The export lives under REFUGE_ONNX_DIR (default `<data dir>/onnx`), named after the
model folder and a hash of its weights, so a changed model never uses a stale export.
`refuge ingest` writes it before it embeds anything, or after the run if nothing needed
embedding (`export_after_ingest`, skipped when REFUGE_EMBED_BACKEND=torch), as does
`python -m kb.onnx_embed`; kb/onnx_export.py does the work. Only mean-pooled, normalised models in a local folder with a `tokenizer.json`
(like the bundled all-MiniLM-L6-v2) are supported; anything else stays on torch.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np

from kb.errors import ConfigError

FORMAT = "pooled-v1"  # part of the file name: changing the export's graph renames it
WEIGHTS = ("model.safetensors", "pytorch_model.bin")


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def supported(model: str) -> bool:
    """Whether `model` is a local folder this module can export and run."""
    folder = Path(model).expanduser()
    if not (folder / "tokenizer.json").is_file() or _weights(folder) is None:
        return False
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in _json(folder / "modules.json") or []]
    pooling = _json(folder / "1_Pooling" / "config.json")
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        v for k, v in pooling.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens")
    return kinds == ["Transformer", "Pooling", "Normalize"] and bool(mean_only)


def _weights(folder: Path) -> Path | None:
    return next((folder / w for w in WEIGHTS if (folder / w).is_file()), None)


@functools.lru_cache(maxsize=8)
def _weights_hash(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def export_path(model: str, onnx_dir: Path, int8: bool = False) -> Path:
    """Where the export of `model` lives (whether or not it exists yet)."""
    folder = Path(model).expanduser().resolve()
    weights = _weights(folder)
    if weights is None:
        raise ConfigError(f"the ONNX backend needs a local model folder with weights, got {model!r}")
    stat = weights.stat()
    key = _weights_hash(str(weights), stat.st_size, stat.st_mtime_ns)
    suffix = "-int8" if int8 else ""
    return Path(onnx_dir) / f"{folder.name}-{key}-{FORMAT}{suffix}.onnx"


def ensure_export(model: str, onnx_dir: Path, int8: bool = False) -> Path:
    """The export of `model`, made now if missing (imports torch once; ~5 s)."""
    if not supported(model):
        raise ConfigError(f"the ONNX backend supports local mean-pooled, normalised sentence-transformers "
                          f"folders with a tokenizer.json; {model!r} is not one")
    dest = export_path(model, onnx_dir, int8)
    if dest.is_file():
        return dest
    from kb import onnx_export

    if int8:
        return onnx_export.quantize_int8(ensure_export(model, onnx_dir), dest)
    return onnx_export.export_fp32(Path(model).expanduser(), dest)


class OnnxEncoder:
    """Texts -> unit vectors with one onnxruntime session (`threads` intra-op threads;
    0 = one per core, for batch work)."""

    def __init__(self, model: str, onnx_file: Path, threads: int = 1):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        ort.disable_telemetry_events()  # belt and braces: kb/offline.py already set ORT_DISABLE_TELEMETRY
        folder = Path(model).expanduser()
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        limit = _json(folder / "sentence_bert_config.json").get("max_seq_length") or 512
        self.pad_id = (self.tokenizer.padding or {}).get("pad_id", 0)
        self.tokenizer.enable_truncation(int(limit))  # sentence-transformers' limit, not the file's 128
        self.tokenizer.no_padding()  # each batch is padded to its own longest text (_run)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads, opts.inter_op_num_threads, opts.log_severity_level = threads or cores(), 1, 3
        # idle pool threads sleep instead of spinning: ~10% less CPU for the same batch work, which on a
        # shared 2-core machine is time given back to the other process (evals/reports/bench/NOTES.md)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = ort.InferenceSession(str(onnx_file), opts, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own kinds; ours is one
            raise ConfigError(f"cannot load the ONNX export {onnx_file}: {exc}") from exc
        self.inputs = [i.name for i in self.session.get_inputs()]

    def _run(self, encodings: list) -> np.ndarray:
        """One batch of tokenised texts, padded to the longest of them."""
        width = max(len(e.ids) for e in encodings)
        columns = {"input_ids": np.full((len(encodings), width), self.pad_id, dtype=np.int64),
                   "attention_mask": np.zeros((len(encodings), width), dtype=np.int64),
                   "token_type_ids": np.zeros((len(encodings), width), dtype=np.int64)}
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            columns["input_ids"][row, :n] = enc.ids
            columns["attention_mask"][row, :n] = enc.attention_mask
            columns["token_type_ids"][row, :n] = enc.type_ids
        return self.session.run(None, {name: columns[name] for name in self.inputs})[0]

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Unit vectors for `texts`, in order: tokenised once, then batched by token count,
        longest first, so a batch pads to texts of about its own length (sorting by
        characters mixed English and Russian texts of very different token counts)."""
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        out = np.zeros((len(texts), 0), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            part = order[start : start + batch_size]
            vecs = self._run([encodings[i] for i in part])
            if not out.shape[1]:
                out = np.zeros((len(texts), vecs.shape[1]), dtype=np.float32)
            out[part] = vecs
        return out


def cores() -> int:
    """The CPU cores this process may run on (batch work uses them all)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def export_after_ingest(settings) -> str:
    """Make the export that documents and questions are embedded with (`refuge ingest`
    calls this before it embeds anything, and after the run), unless
    REFUGE_EMBED_BACKEND=torch or the model is not one this can export. Returns a one-line
    note ("" when nothing was made) and never raises: a failed export only leaves the
    embedding on torch, so it must not fail the ingest."""
    model, int8 = settings.embed_model, settings.embed_backend == "onnx-int8"
    if settings.embed_backend == "torch" or not supported(model):
        return ""
    try:
        if export_path(model, settings.onnx_dir, int8).is_file():
            return ""
        path = ensure_export(model, settings.onnx_dir, int8=int8)
    except Exception as exc:  # noqa: BLE001 - torch, onnx and the file system raise many kinds
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return f"warning: no ONNX export of the model, documents and questions will be embedded with torch: {reason}"
    return f"ONNX export for documents and questions: {path}"


def main(argv: list[str] | None = None) -> int:
    """`python -m kb.onnx_embed [--int8]`: make the export for the configured model."""
    from kb.settings import get_settings

    settings = get_settings()
    args = sys.argv[1:] if argv is None else argv
    if not supported(settings.embed_model):
        print(f"no ONNX export: {settings.embed_model} is not a model this can export; questions use torch")
        return 0
    try:
        path = ensure_export(settings.embed_model, settings.onnx_dir, int8="--int8" in args)
    except ConfigError as exc:
        print(f"no ONNX export: {exc}", file=sys.stderr)
        return 1
    print(f"ONNX export: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
