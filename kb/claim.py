"""What a claim review is: a statement that circulates, its rating, and a short cited explanation.

One Markdown file per review, `kb/claims/<id>.md`, with YAML front matter:

    id: chechnya-concentration-camps       # equals the file name without .md
    claim: Chechnya set up concentration camps for gay men.   # as people state it
    paraphrases: [...]                      # other ways people say it (English)
    paraphrases_ru: [...]                   # optional: Russian wordings
    rating: misleading                      # one of RATINGS
    article: chechnya-documented-vs-disputed   # the article that tells the full story
    sources: [...]                          # as in articles: key, title, publisher, url, published
    status: vetted                          # vetted | draft | retired
    reviewed_by: ...
    reviewed_on: 2026-12-05

and a body of 1-3 sentences, each followed by a footnote ([^key]). A review is parsed like an
article (kb/article.py), so ingest, the manifest and `refuge kb check` handle both; its rules
are `kb.validate.check_claim`. Ingest stores it apart from the articles' passages, so the
question-answering chat never quotes it; `refuge check` matches pasted sentences against its
claim and paraphrases (chat/check.py).
"""
from __future__ import annotations

from pathlib import Path

from kb.article import Article, parse_article

RATINGS = ("documented", "disputed", "misattributed", "unsupported", "misleading", "outdated")
RATING_MEANING = {
    "documented": "vetted sources document it as stated",
    "disputed": "reliable sources disagree, or the evidence is contested",
    "misattributed": "the words or act are real, but credited to the wrong person or source",
    "unsupported": "no vetted source supports it; the explanation says what the sources do show",
    "misleading": "it rests on something real but gives a wrong impression (scope, framing or missing context)",
    "outdated": "it was true once and is no longer",
}
CLAIMS_DIR = "claims"  # kb/claims/<id>.md


class ClaimReview(Article):
    """A parsed claim review. `title` is the claim as people state it."""

    @property
    def title(self) -> str:
        return str(self.meta.get("claim") or self.id)

    @property
    def rating(self) -> str:
        return str(self.meta.get("rating") or "")

    @property
    def article(self) -> str:
        return str(self.meta.get("article") or "")

    def asks(self) -> list[tuple[str, str]]:
        """(text, language) of every wording to match: the claim, then its paraphrases."""
        out = [(self.title, "en")] if self.meta.get("claim") else []
        for field, lang in (("paraphrases", "en"), ("paraphrases_ru", "ru")):
            values = self.meta.get(field)
            if isinstance(values, list):
                out += [(str(v).strip(), lang) for v in values if isinstance(v, str) and v.strip()]
        return out


def is_claim_file(path: Path) -> bool:
    """Whether `path` is a claim review: a Markdown file in a `claims` folder."""
    return path.suffix == ".md" and path.parent.name == CLAIMS_DIR


def parse_claim(path: Path, text: str | None = None) -> ClaimReview:
    art = parse_article(path, text)
    return ClaimReview(art.path, art.meta, art.body, art.raw_hash, art.problems)


def jsonld(reviews: list[ClaimReview], base_url: str | None = None, publisher: str = "Refuge") -> dict:
    """schema.org ClaimReview records (JSON-LD) of the vetted reviews, in id order. With
    `base_url`, each record's `url` is `<base_url>/<id>`."""
    from kb.article import clean_text

    graph = []
    for review in sorted((r for r in reviews if r.status == "vetted"), key=lambda r: r.id):
        meta = review.meta
        record = {
            "@type": "ClaimReview",
            "identifier": review.id,
            "claimReviewed": review.title,
            "itemReviewed": {"@type": "Claim", "name": review.title},
            "reviewRating": {"@type": "Rating", "alternateName": review.rating.capitalize(),
                             "ratingExplanation": RATING_MEANING.get(review.rating, "")},
            "reviewBody": " ".join(clean_text(p.raw) for p in review.paragraphs()),
            "datePublished": str(meta.get("reviewed_on", "")),
            "author": {"@type": "Organization", "name": publisher},
            "inLanguage": "en",
            "citation": [_creative_work(src) for src in meta.get("sources") or [] if isinstance(src, dict)],
        }
        if base_url:
            record["url"] = f"{base_url.rstrip('/')}/{review.id}"
        graph.append(record)
    return {"@context": "https://schema.org", "@graph": graph}


def _creative_work(src: dict) -> dict:
    work = {"@type": "CreativeWork", "name": str(src.get("title", "")), "url": str(src.get("url", "")),
            "publisher": {"@type": "Organization", "name": str(src.get("publisher", ""))}}
    if src.get("published") not in (None, "", "n.d."):
        work["datePublished"] = str(src["published"])
    return work
