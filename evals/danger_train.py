"""Learn the meaning-based danger reading from labelled messages: `python -m evals.danger_train [--write]`.

The regular expressions in chat/safety.py read danger from its words; a fresh blind set (cc, 2026-12-07) said it
in words they had never seen ("went thru my phone... they will 'cure' me", "the same grey car outside my building
4 days in a row", "i just want to go to sleep and not wake up") and three of four messages in danger got no crisis
notice. This fits one logistic regression on the shipped model's question vectors: the messages of
`evals/datasets` (gold sets and the reader sets that steered earlier fixes), in danger or not, class-balanced.
Nothing under `evals/heldout` is used, so that those sets stay a test. It prints the figures of both checks:
leave-one-set-out over the training sets, and the held-out sets (with set cc among them), each as what the
regular expressions miss and the model catches, and the calm messages it would flag that the expressions don't.
With `--write` it saves `chat/danger_weights.json` (the model's name, the mean vector, weights, threshold), and
the weights of the second regression, which reads of the messages in danger those that tell of suicide or self-harm.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
OUT = ROOT.parent / "chat" / "danger_weights.json"
THRESHOLD = 0.75  # leave-one-set-out over the training sets: 0.7 flags 3 calm messages, 0.8 misses more danger
# 1e-3 pulled the weights so far to zero that, learnt without them, it caught 62 of the 100 messages in danger of
# `danger_messages.jsonl` (written 2026-12-07 to teach it); 1e-4 caught 88 in 5-fold, flagging no more calm ones
L2, STEPS, RATE = 1e-4, 3000, 10.0
SELF_HARM_THRESHOLD = 0.5  # of the messages in danger, those that tell of suicide or self-harm (an even split)


def labelled(held_out: bool) -> list[tuple[str, str, bool]]:
    """(id, text, in danger) of the training sets (`evals/datasets`) or of the held-out ones."""
    from evals.danger_check import questions

    held = {str(json.loads(line).get("id")) for path in [*ROOT.glob("heldout/*.jsonl"), *ROOT.glob("heldout/*/blind60.jsonl")]
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    return [row for row in questions() if (row[0] in held) == held_out]


def self_harm_labels(rows) -> np.ndarray:
    """Of messages in danger, which tell of suicide or self-harm: a row's own "kind" where its set gives one
    (`danger_messages.jsonl`), else what the regular expressions read (chat/safety.py)."""
    from chat.safety import danger_kind
    from evals.reader_run import read_set

    kinds = {str(r.get("id")): r.get("kind") for path in ROOT.glob("datasets/*.jsonl") for r in read_set(path) if r.get("kind")}
    return np.array([(kinds.get(i) or danger_kind(q)) == "self_harm" for i, q, _ in rows], dtype=float)


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Weights (last: bias) of an L2 logistic regression, each class weighing as much as the other."""
    x = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x.shape[1])
    weight = np.where(y == 1, (1 - y.mean()) / y.mean(), 1.0)
    weight /= weight.mean()
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-(x @ w)))
        w -= RATE * (x.T @ (weight * (p - y)) / len(y) + L2 * np.r_[w[:-1], 0])
    return w


def prob(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ w[:-1] + w[-1])))


def report(name: str, rows, p: np.ndarray) -> None:
    from chat.safety import danger_kind

    words = np.array([bool(danger_kind(q)) for _, q, _ in rows])
    y = np.array([d for _, _, d in rows])
    flag = p >= THRESHOLD
    caught = [i for (i, _, d), f, w in zip(rows, flag, words) if d and f and not w]
    missed = [i for (i, _, d), f, w in zip(rows, flag, words) if d and not f and not w]
    calm = [(i, q) for (i, q, d), f, w in zip(rows, flag, words) if not d and f and not w]
    print(f"{name}: {len(rows)} messages, {int(y.sum())} in danger, {int((flag & y).sum())} of them flagged by the model "
          f"alone; the expressions miss {len(caught) + len(missed)}, "
          f"the model catches {len(caught)} of them {caught}; calm messages it alone flags: {len(calm)}")
    for i, q in calm:
        print(f"  flagged {i}: {q[:110]}")


def main(argv: list[str]) -> int:
    from kb.embedder import get_embedder
    from kb.settings import get_settings

    settings = get_settings()
    embedder = get_embedder(settings.embed_model, settings)
    train, held = labelled(False), labelled(True)
    vec = {t: np.asarray(embedder.embed_query(t), dtype=np.float32) for _, t, _ in train + held}
    x = np.stack([vec[t] for _, t, _ in train])
    mean = x.mean(0)
    y = np.array([d for _, _, d in train], dtype=float)
    groups = np.array([re.sub(r"\d+$", "", i) for i, _, _ in train])
    p = np.zeros(len(train))
    for g in sorted(set(groups)):  # leave one set out
        out = groups == g
        p[out] = prob(x[out] - mean, fit(x[~out] - mean, y[~out]))
    report("leave-one-set-out (training sets)", train, p)
    w = fit(x - mean, y)
    report("held-out sets", held, prob(np.stack([vec[t] for _, t, _ in held]) - mean, w))
    danger = [row for row in train if row[2]]
    xd, yd = np.stack([vec[t] for _, t, _ in danger]) - mean, self_harm_labels(danger)
    pd_ = np.zeros(len(danger))
    for k in range(5):  # five folds: what the kind regression says of messages it did not learn from
        out = np.arange(len(danger)) % 5 == k
        pd_[out] = prob(xd[out], fit(xd[~out], yd[~out]))
    said = pd_ >= SELF_HARM_THRESHOLD
    print(f"self-harm among {len(danger)} messages in danger (5-fold): {int(yd.sum())} tell of it, {int((said & (yd == 1)).sum())} "
          f"read so; {int((said & (yd == 0)).sum())} of the others read so")
    wk = fit(xd, yd)
    if "--write" in argv:
        OUT.write_text(json.dumps({"model": settings.embed_model, "threshold": THRESHOLD, "trained_on": len(train),
                                   "mean": [round(float(v), 6) for v in mean],
                                   "weights": [round(float(v), 6) for v in w[:-1]], "bias": round(float(w[-1]), 6),
                                   "self_harm": {"threshold": SELF_HARM_THRESHOLD, "trained_on": len(danger),
                                                 "weights": [round(float(v), 6) for v in wk[:-1]],
                                                 "bias": round(float(wk[-1]), 6)}}),
                       encoding="utf-8")
        print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
