"""Pure logic: sentence splitting, chunking limits, retrieval fusion, follow-ups."""
from __future__ import annotations

from chat.question import is_follow_up, search_query
from chat.retrieve import fuse
from ingest.chunker import MAX_WORDS, chunk_article
from kb.article import parse_article
from kb.text import language_of, numbers, split_sentences, words
from tests.conftest import KB_ARTICLES
from tests.helpers import PARA, write_article


def test_sentences_keep_abbreviations():
    text = "In Toonen v. Australia (1994), the Committee found a violation. Guidelines No. 9 followed in 2012."
    assert split_sentences(text) == ["In Toonen v. Australia (1994), the Committee found a violation.",
                                     "Guidelines No. 9 followed in 2012."]


def test_language_and_numbers():
    assert language_of("Можно ли получить убежище?") == "ru"
    assert language_of("asylum in Germany, спасибо") == "en"
    assert language_of("ubezhishche v Germanii") == "en"  # transliterated: Latin script
    assert numbers("In 1,000 cases since 2017") == {"1000", "2017"}


def test_chunks_respect_sections_and_limits():
    for path in sorted(KB_ARTICLES.rglob("*.md"))[:25]:
        art = parse_article(path)
        if art.status != "vetted":
            continue
        chunks = chunk_article(art)
        assert chunks, path
        for chunk in chunks:
            assert len(words(chunk.text)) <= MAX_WORDS + 60
            assert "[^" not in chunk.text
            for sentence in chunk.sentences:
                assert sentence in chunk.text
        assert len({c.id for c in chunks}) == len(chunks)
        sections = [c.metadata["section"] for c in chunks]
        assert sections == sorted(sections, key=sections.index)  # a section's chunks are contiguous


SECTIONS = {"Who is a refugee": PARA, "Where to claim": PARA.replace("Geneva", "Geneva, Switzerland,"),
            "What to bring": PARA.replace("1951", "the year 1951")}


def _ids_by_section(folder, sections: dict) -> dict:
    body = "\n\n".join(f"## {title}\n\n{text}" for title, text in sections.items())
    return {c.metadata["section"]: c.id for c in chunk_article(parse_article(write_article(folder, "ids", body)))}


def test_chunk_ids_are_pinned_and_an_edit_renames_only_its_own_chunk(tmp_path):
    """Ids (<article>:<index>:<hash of the text>) name passages in the store, the manifest and
    citations: a chunker change that renames them must be deliberate, so they are pinned."""
    ids = _ids_by_section(tmp_path, SECTIONS)
    assert ids == {"Who is a refugee": "ids:000:8ccc2bc2b1", "Where to claim": "ids:001:9ad3d20301",
                   "What to bring": "ids:002:2099314378"}
    edited = dict(SECTIONS, **{"Where to claim": SECTIONS["Where to claim"].replace("outside", "living outside")})
    after = _ids_by_section(tmp_path, edited)
    assert after["Where to claim"] != ids["Where to claim"] and after["Where to claim"].startswith("ids:001:")
    assert [after[s] for s in ("Who is a refugee", "What to bring")] == [ids[s] for s in ("Who is a refugee", "What to bring")]


def test_reciprocal_rank_fusion():
    hits = fuse({"a": 0.9, "b": 0.8, "c": 0.1}, {"b": 9.0, "c": 5.0})
    assert [h.chunk_id for h in hits] == ["b", "c", "a"]  # in both lists beats top of one
    assert hits[0].dense == 0.8 and hits[0].bm25 == 9.0


def test_follow_up_uses_previous_question():
    history = [{"role": "user", "content": "How does LGBTQ asylum work in Canada?"},
               {"role": "assistant", "content": "..."}]
    assert is_follow_up("and in Germany?") and is_follow_up("germany?")
    assert not is_follow_up("What is non-refoulement?")
    assert not is_follow_up("What did the OSCE Moscow Mechanism report find about Chechnya?")
    assert search_query("and in Germany?", history) == "How does LGBTQ asylum work in Germany?"
    assert search_query("What is non-refoulement?", history) == "What is non-refoulement?"
