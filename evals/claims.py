"""Evals for `refuge check` (chat/check.py).

- `calibrate`: how the curated-review match behaves on a labelled set of claim sentences
  (evals/datasets/claims_calibration.jsonl: positives worded apart from the reviews' own
  paraphrases, near misses on the same topics, Russian items), over a sweep of the cosine
  and margin thresholds; the shipped `kb.settings.CHECK` must keep precision of "matched the
  right review" >= 0.95 (a wrong rating is worse than none).
      python -m evals.claims calibrate [--dataset FILE]
- `kb`: every statement of the English articles through the matcher (vetted facts: a match
  rated other than documented is a near miss to read).
      python -m evals.claims kb [--before]
- `run_essays`: pasted essays and threads with every sentence labelled (kind; the review it
  states, or the articles that cover it, or none): claim-level precision and recall of the
  review matches, the share of claims with a useful result (a review or related sources), and
  whether related sources came from a labelled article. `refuge eval` reports it as its own
  section (claims.json, claims.md), leaving the gold evaluation untouched.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from pathlib import Path

from chat import check
from chat.review_match import disagreement
from evals import metrics as m
from kb.settings import CHECK, CheckSettings

DATASETS = Path(__file__).parent / "datasets"
CALIBRATION = DATASETS / "claims_calibration.jsonl"
ESSAYS = DATASETS / "claims_essays.jsonl"
PRECISION_FLOOR = 0.95
REVIEW_VERDICTS = set(check.VERDICTS) - {"related", "not_covered"}
# the matching as it was before the specifics rules (chat/claim_specifics.py), for comparison: --before
BEFORE = replace(CHECK, strict_specifics=False, review_cosine=0.72, review_margin=0.04)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- calibration -------------------------------------------------------------------------

def scored(assistant, rows: list[dict], settings: CheckSettings = CHECK) -> list[dict]:
    """Each calibration row with its closest review, cosine, margin and agreement (and, when
    it disagrees, the first specific it disagrees on)."""
    table = check.reviews(assistant.index)
    vectors = assistant.embedder.embed_queries([r["text"] for r in rows])
    out = []
    for row, vec in zip(rows, vectors):
        match = check.closest_review(table, vec, row["language"])
        found = {"predicted": None, "cosine": 0.0, "margin": 0.0, "agrees": False, "rule": None}
        if match is not None:
            rule = disagreement(row["text"], match, table, settings)
            found = {"predicted": table.chunks[match.chunk_id].meta["article_id"], "cosine": match.cosine,
                     "margin": match.margin, "agrees": rule is None, "rule": rule}
        out.append({**row, **found})
    return out


def precision_recall(rows: list[dict], cosine: float, margin: float) -> dict:
    """Precision of the matches made (the right review), recall over the rows that state a review."""
    made = [r for r in rows if r["predicted"] and r["cosine"] >= cosine and r["margin"] >= margin and r["agrees"]]
    right = [r for r in made if r["predicted"] == r["review_id"]]
    wanted = [r for r in rows if r["review_id"]]
    return {"cosine": cosine, "margin": margin, "matched": len(made), "right": len(right),
            "precision": len(right) / len(made) if made else 1.0,
            "recall": sum(r["predicted"] == r["review_id"] for r in made) / len(wanted) if wanted else 0.0,
            "wrong": [(r["id"], r["text"], r["predicted"]) for r in made if r["predicted"] != r["review_id"]]}


def sweep(rows: list[dict]) -> list[dict]:
    grid = [(c / 100, g / 100) for c in range(50, 92, 2) for g in range(0, 14, 2)]
    return [precision_recall(rows, c, g) for c, g in grid]


def best(results: list[dict], floor: float = PRECISION_FLOOR) -> dict | None:
    """The setting with the highest recall among those at or above the precision floor
    (ties: the stricter setting)."""
    ok = [r for r in results if r["precision"] >= floor and r["matched"]]
    return max(ok, key=lambda r: (r["recall"], r["cosine"], r["margin"])) if ok else None


def calibrate(assistant, path: Path = CALIBRATION, settings: CheckSettings = CHECK) -> dict:
    """Per language: the shipped setting's precision and recall, and the sweep's best."""
    rows = scored(assistant, read_jsonl(path), settings)
    report = {}
    for lang in sorted({r["language"] for r in rows}):
        part = [r for r in rows if r["language"] == lang]
        results = sweep(part)
        shipped = precision_recall(part, settings.review_cosine, settings.review_margin)
        report[lang] = {"n": len(part), "positives": sum(bool(r["review_id"]) for r in part),
                        "shipped": shipped, "enabled": lang in settings.review_languages,
                        "best": best(results), "sweep": results, "two_fold": two_fold(part),
                        "near": near_misses(part, settings)}
    return report


NEAR = 0.04  # a row this close to both thresholds is listed as a near miss


def near_misses(rows: list[dict], settings: CheckSettings) -> list[tuple]:
    """Rows not matched (or matched to no review they state) whose closest review came within
    NEAR of the cosine and margin bars: what the bars, or a specifics rule, stood between."""
    out = []
    for r in rows:
        made = r["predicted"] and r["cosine"] >= settings.review_cosine and r["margin"] >= settings.review_margin \
            and r["agrees"]
        close = r["cosine"] >= settings.review_cosine - NEAR and r["margin"] >= settings.review_margin - NEAR
        if r["predicted"] and close and not made:
            out.append((r["id"], r["text"], r["predicted"], r["review_id"], round(r["cosine"], 3), round(r["margin"], 3),
                        r["rule"] or ("cosine" if r["cosine"] < settings.review_cosine else "margin")))
    return out


def two_fold(rows: list[dict]) -> list[dict]:
    """An honest estimate for choosing thresholds on this set: pick the best setting on the odd
    rows, measure it on the even ones, and the other way round."""
    folds = [rows[0::2], rows[1::2]]
    out = []
    for tune, test in (folds, folds[::-1]):
        chosen = best(sweep(tune))
        if chosen:
            got = precision_recall(test, chosen["cosine"], chosen["margin"])
            out.append({"cosine": chosen["cosine"], "margin": chosen["margin"], "precision": got["precision"],
                        "recall": got["recall"], "matched": got["matched"]})
    return out


def calibration_text(report: dict) -> str:
    lines = []
    for lang, rep in report.items():
        s = rep["shipped"]
        lines.append(f"[{lang}] n={rep['n']} ({rep['positives']} state a review); matching "
                     f"{'on' if rep['enabled'] else 'OFF'}; shipped cosine>={s['cosine']} margin>={s['margin']}: "
                     f"precision {s['precision']:.3f} ({s['right']}/{s['matched']}), recall {s['recall']:.3f}")
        for _, text, predicted in s["wrong"]:
            lines.append(f"    wrong: {text[:70]!r} -> {predicted}")
        for rid, text, predicted, wanted, cosine, margin, rule in rep["near"]:
            lines.append(f"    near: {rid} {'right' if predicted == wanted else 'WRONG'} {predicted} cos={cosine} "
                         f"margin={margin} stopped by {rule}: {text[:60]!r}")
        b = rep["best"]
        lines.append(f"    best with precision >= {PRECISION_FLOOR}: " + (
            f"cosine>={b['cosine']} margin>={b['margin']}: precision {b['precision']:.3f}, recall {b['recall']:.3f}"
            if b else "none"))
        for fold in rep["two_fold"]:
            lines.append(f"    two-fold: tuned cosine>={fold['cosine']} margin>={fold['margin']} -> other half precision "
                         f"{fold['precision']:.3f} ({fold['matched']} matched), recall {fold['recall']:.3f}")
    return "\n".join(lines)


# --- knowledge-base sentences ----------------------------------------------------------

def kb_sentences(assistant, settings: CheckSettings = CHECK) -> list[tuple]:
    """Every statement of the English articles (vetted facts, not the FAQ questions) through the
    review matcher: (rating, review id, cosine, article id, sentence) for each match. Unlabelled,
    but a fact sentence rated other than 'documented' is a near miss to read."""
    from kb.text import split_sentences

    index, table = assistant.index, check.reviews(assistant.index)
    sents = sorted({(c.meta.get("article_id"), s) for c in index.chunks
                    if c.meta.get("language") == "en" and c.meta.get("kind") != "faq"
                    for s in split_sentences(c.text, "en") if len(s.split()) >= 5 and not s.rstrip().endswith("?")})
    vectors = assistant.embedder.embed_queries([s for _, s in sents])
    out = []
    for (article, sent), vec in zip(sents, vectors):
        match = check.match_review(table, sent, vec, "en", settings)
        if match:
            meta = table.chunks[match.chunk_id].meta
            out.append((meta.get("rating"), meta.get("article_id"), round(match.cosine, 3), article, sent))
    return out


# --- essays ------------------------------------------------------------------------------

def essay_text(essay: dict) -> str:
    joiner = "\n" if essay.get("format") == "thread" else " "
    return joiner.join(s["text"] for s in essay["sentences"])


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", check.LIST_MARK.sub("", text)).strip().lower()


def align(labelled: list[dict], found: list[dict]) -> list[tuple[dict, dict | None]]:
    """Each labelled sentence with the checked sentence that is it (same words), or contains
    it, or None when the splitter cut it differently."""
    out = []
    for sent in labelled:
        want = _norm(sent["text"])
        match = next((f for f in found if _norm(f["text"]) == want), None) or \
            next((f for f in found if want and (want in _norm(f["text"]) or _norm(f["text"]) in want)), None)
        out.append((sent, match))
    return out


def score_essay(essay: dict, result: dict) -> list[dict]:
    rows = []
    for sent, got in align(essay["sentences"], result["claims"]):
        row = {"essay": essay["id"], "language": essay["language"], "text": sent["text"], "kind": sent["kind"],
               "review_id": sent.get("review_id"), "article_ids": sent.get("article_ids", []), "aligned": got is not None}
        if got is not None:
            cited = [c["article_id"] for c in got["citations"]]
            row.update(predicted_kind=got["kind"], verdict=got["verdict"], predicted_review=got["review_id"], cited=cited)
        rows.append(row)
    return rows


def aggregate(rows: list[dict]) -> dict:
    aligned = [r for r in rows if r["aligned"]]
    claims = [r for r in aligned if r["kind"] == "claim"]
    matched = [r for r in claims if r.get("predicted_review")]
    wanted = [r for r in claims if r["review_id"]]
    related = [r for r in claims if r.get("verdict") == "related"]
    covered = [r for r in related if r["article_ids"] or r["review_id"]]
    targets = lambda r: set(r["article_ids"]) | ({r["review_id"]} if r["review_id"] else set())  # noqa: E731
    return {
        "sentences": len(rows), "aligned": len(aligned), "claims": len(claims),
        "kind_accuracy": m.mean(r["predicted_kind"] == r["kind"] for r in aligned),
        "review_precision": len([r for r in matched if r["predicted_review"] == r["review_id"]]) / len(matched) if matched else 1.0,
        "review_recall": m.mean(r.get("predicted_review") == r["review_id"] for r in wanted) if wanted else 0.0,
        "reviews_matched": len(matched), "reviews_labelled": len(wanted),
        "useful_share": m.mean(r.get("verdict") not in (None, "not_covered") for r in claims),
        "related_share": m.mean(r.get("verdict") == "related" for r in claims),
        "related_on_target": m.mean(bool(set(r["cited"]) & targets(r)) for r in covered) if covered else 0.0,
        "related_on_uncovered": m.mean(not (r["article_ids"] or r["review_id"]) for r in related) if related else 0.0,
        "covered_claims_useful": m.mean(r.get("verdict") not in (None, "not_covered") for r in claims
                                        if r["article_ids"] or r["review_id"]),
    }


def run_essays(assistant, path: Path = ESSAYS, settings: CheckSettings = CHECK) -> dict:
    """Every essay through `check_text`; metrics overall and per language, and the rows."""
    rows = []
    for essay in read_jsonl(path):
        rows += score_essay(essay, check.check_text(assistant, essay_text(essay), settings))
    langs = sorted({r["language"] for r in rows})
    return {"all": aggregate(rows), **{lang: aggregate([r for r in rows if r["language"] == lang]) for lang in langs},
            "rows": rows}


ESSAY_COLUMNS = ("claims", "kind_accuracy", "review_precision", "review_recall", "reviews_matched", "reviews_labelled",
                 "useful_share", "covered_claims_useful", "related_share", "related_on_target", "related_on_uncovered")


def essays_markdown(result: dict, dataset: Path) -> str:
    head = "| slice | " + " | ".join(ESSAY_COLUMNS) + " |"
    lines = ["## Claim check (`refuge check`)", "", f"Dataset: `{dataset.name}` (essays and threads, every sentence labelled).",
             "", head, "|" + "---|" * (len(ESSAY_COLUMNS) + 1)]
    for name, row in result.items():
        if name == "rows":
            continue
        lines.append(f"| {name} | " + " | ".join(f"{row[c]:.3f}" if isinstance(row[c], float) else str(row[c])
                                                 for c in ESSAY_COLUMNS) + " |")
    lines += ["", "- **review precision**: of the claims shown a curated rating, share rated with the review they state;"
              " **review recall**: of the claims that state a reviewed claim, share shown that review.",
              "- **useful share**: claims shown a rating or related vetted sources; **covered claims useful**: the same over"
              " claims the knowledge base covers (labelled with a review or an article).",
              "- **related on target**: related sources citing a labelled article (or the review's article);"
              " **related on uncovered**: related sources shown for a claim labelled as not covered."]
    return "\n".join(lines) + "\n"


def write_essays(result: dict, out: Path, dataset: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "claims.json").write_text(json.dumps({k: v for k, v in result.items()}, ensure_ascii=False, indent=1))
    path = out / "claims.md"
    path.write_text(essays_markdown(result, dataset), encoding="utf-8")
    return path


def main(argv: list[str]) -> None:
    from chat.assistant import Assistant
    from kb.settings import get_settings

    command = argv[0] if argv else "calibrate"
    dataset = Path(argv[argv.index("--dataset") + 1]) if "--dataset" in argv else None
    assistant = Assistant(get_settings())
    settings = BEFORE if "--before" in argv else assistant.check
    if command == "calibrate":
        print(calibration_text(calibrate(assistant, dataset or CALIBRATION, settings)))
    elif command == "essays":
        result = run_essays(assistant, dataset or ESSAYS, settings)
        print(essays_markdown(result, dataset or ESSAYS))
        for row in result["rows"]:
            if row["kind"] == "claim" and (row.get("predicted_review") != row["review_id"] or row.get("verdict") == "not_covered"):
                print(f"  {row['essay']} [{row.get('verdict')}] got={row.get('predicted_review')} want={row['review_id']} "
                      f"arts={row['article_ids']} cited={row.get('cited')} :: {row['text'][:80]}")
            elif row.get("predicted_kind") != row["kind"]:
                print(f"  {row['essay']} kind {row.get('predicted_kind')} != {row['kind']} :: {row['text'][:80]}")
    elif command == "kb":
        found = kb_sentences(assistant, settings)
        for rating, review, cosine, article, sent in sorted(found, key=lambda f: (f[0] == "documented", f[1])):
            print(f"{rating:13} {review:34} {cosine:.3f} [{article}] {sent[:140]}")
        print(f"{len(found)} article sentences matched a review, {sum(f[0] != 'documented' for f in found)} rated other "
              "than documented")
    else:
        raise SystemExit("usage: python -m evals.claims calibrate|essays|kb [--dataset FILE] [--before]")


if __name__ == "__main__":
    main(sys.argv[1:])
