"""Export a sentence-transformers model folder to one ONNX file (and optionally int8).

The graph is the whole query embedder: the transformer, mean pooling over the attention
mask, and L2 normalisation, with dynamic batch and sequence axes, so onnxruntime gives
the same unit vectors as `SentenceTransformer.encode(..., normalize_embeddings=True)`.
This is the only module of the ONNX path that imports torch and transformers; it runs
once per model (from `make ingest`, or the first use of REFUGE_EMBED_BACKEND=onnx), and
every file is written under a temporary name and renamed, so a reader never sees half.
"""
from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

from kb.errors import ConfigError

OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _pooled(bert):
    import torch

    class Pooled(torch.nn.Module):
        """BERT -> mean of the unmasked token states -> unit length."""

        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            states = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            mean = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    return Pooled().eval()


def _tmp(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.{os.getpid()}.tmp")


def export_fp32(model_dir: Path, dest: Path) -> Path:
    """Write the float32 graph of `model_dir` to `dest` (atomically); returns `dest`."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    try:
        bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager")
    except Exception as exc:  # the library raises many kinds; ours is one
        raise ConfigError(f"cannot load {model_dir} for the ONNX export: {exc}") from exc
    # a batch with padding, so the traced graph uses the attention mask as real batches do
    ids = torch.tensor([[101, 2023, 2003, 102], [101, 2023, 102, 0]])
    args = (ids, (ids > 0).long(), torch.zeros_like(ids))
    axes = {name: {0: "batch", 1: "sequence"} for name in INPUTS} | {"embedding": {0: "batch"}}
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp(dest)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about Python control flow: the graph is checked by tests
            torch.onnx.export(_pooled(bert), args, str(tmp), input_names=list(INPUTS), output_names=["embedding"],
                              dynamic_axes=axes, opset_version=OPSET, dynamo=False)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def quantize_int8(source: Path, dest: Path) -> Path:
    """Dynamic int8 quantisation of the weights of `source` (onnxruntime), atomically."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = _tmp(dest)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # its advice to pre-process first is for static quantisation
    try:
        quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8)
        os.replace(tmp, dest)
    finally:
        root.setLevel(level)
        tmp.unlink(missing_ok=True)
    return dest
