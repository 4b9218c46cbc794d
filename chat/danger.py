"""Danger read from a question's meaning, where its words name none that chat/safety.py knows.

One logistic regression over the embedding model's question vector, learnt from labelled messages in danger and
calm ones (`python -m evals.danger_train --write`, which prints how it does on sets it never saw): a message reads
as danger when the regression gives it at least the stored threshold. A second one, learnt from the messages in
danger alone, reads whether a message it flags tells of thoughts of suicide or self-harm ("i keep thinking the
bridge is not that high"), so that the notice opens with the lines for that. Both only add to the regular
expressions, and only for the model they were learnt with (`chat/danger_weights.json` names it); otherwise they
read nothing.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

WEIGHTS = Path(__file__).with_name("danger_weights.json")


@lru_cache(maxsize=4)
def _weights(path: str) -> dict | None:
    file = Path(path)
    if not file.is_file():
        return None
    data = json.loads(file.read_text(encoding="utf-8"))
    kind = data.get("self_harm")
    return dict(data, mean=np.asarray(data["mean"], dtype=np.float32), weights=np.asarray(data["weights"], dtype=np.float32),
                self_harm=kind and dict(kind, weights=np.asarray(kind["weights"], dtype=np.float32)))


def likelihood(vec, model: str, path: Path = WEIGHTS, which: str = "danger") -> float | None:
    """The regression's probability that the question of query vector `vec` is from someone in danger (`which`:
    "danger"), or, for one in danger, that it tells of thoughts of suicide or self-harm ("self_harm"); None when
    there are no weights for `model`."""
    data = _for_model(model, path)
    part = data if which == "danger" else (data or {}).get(which)
    if part is None:
        return None
    z = float((np.asarray(vec, dtype=np.float32) - data["mean"]) @ part["weights"]) + part["bias"]
    return 1.0 / (1.0 + np.exp(-z))


def reads_danger(vec, model: str, path: Path = WEIGHTS) -> bool:
    """Whether the question of query vector `vec` reads as danger (see the module docstring)."""
    p = likelihood(vec, model, path)
    return p is not None and p >= _for_model(model, path)["threshold"]


def reads_self_harm(vec, model: str, path: Path = WEIGHTS) -> bool:
    """Whether a message read as danger tells of thoughts of suicide or self-harm, from its meaning."""
    p = likelihood(vec, model, path, "self_harm")
    return p is not None and p >= _for_model(model, path)["self_harm"]["threshold"]


def _for_model(model: str, path: Path) -> dict | None:
    data = _weights(str(path))
    return data if data is not None and data["model"] == model else None
