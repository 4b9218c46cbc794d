"""Plain-text rendering for the terminal: answers with numbered sources, tables."""
from __future__ import annotations

import textwrap
from collections import Counter


def answer_text(result: dict, crisis: dict | None = None, lang: str = "en") -> str:
    """The answer for a terminal, its notes and labels in `lang` (the question's language)."""
    from ui.texts import ui_text

    text = ui_text(lang)
    lines = []
    if "crisis" in result["notices"] and crisis:
        lines += [f"!! {crisis['title']}", *([crisis["ack"]] if crisis.get("ack") else []), crisis["first"], ""]
        for part in crisis.get("more", []):
            lines += [f"{part['section']}:", part["text"], ""]
    if "sources_in_english" in result["notices"]:
        lines += [f"({text['sources_in_english']})", ""]
    lines.append(result["answer"])
    if result.get("more"):
        lines += ["", f"{text['more']}:", result["more"]]
    if result["citations"]:
        lines += ["", f"{text['sources']}:"]
    for cite in result["citations"]:
        where = f"{cite['title']} — {cite['section']}" if cite["section"] else cite["title"]
        lines.append(f"[{cite['n']}] {where}")
        lines.append(textwrap.indent(textwrap.fill(cite["quote"], 88), "    > "))
        for src in cite["sources"]:
            lines.append(f"    {src['publisher']}, \"{src['title']}\" ({src['published']}) {src['url']}")
    return "\n".join(lines)


def ingest_table(report) -> str:
    rows = [("added", len(report.added)), ("updated", len(report.updated)), ("unchanged", len(report.unchanged)),
            ("removed", len(report.removed)), ("skipped (draft)", len(report.skipped))]
    head = "ingest (dry run: nothing written)" if report.dry_run else "ingest"
    out = [head, "-" * 32] + [f"{name:<18}{n:>8}" for name, n in rows]
    out += ["-" * 32, f"{'chunks written':<18}{report.chunks_written:>8}", f"{'chunks indexed':<18}{report.chunks_total:>8}",
            f"{'texts embedded':<18}{report.embedded:>8}", f"{'from the pack':<18}{report.packed:>8}",
            f"{'seconds':<18}{report.seconds:>8.2f}"]
    if report.stage_s:
        out.append("  " + ", ".join(f"{name} {s:.1f}" for name, s in report.stage_s.items()))
    out.append(f"kb version {report.kb_version or '-'}")
    for name, ids in (("added", report.added), ("updated", report.updated), ("removed", report.removed)):
        if ids and len(ids) <= 20:
            out.append(f"{name}: {', '.join(ids)}")
    if report.pack_written:
        out.append(f"vector pack: {len(report.pack_written)} file(s) written or removed (kb/vectors): commit them")
    if report.warnings:
        out.append(f"{len(report.warnings)} warning(s): run `refuge kb check` to see them")
    return "\n".join(out)


def kb_counts(articles) -> str:
    from kb.claim import ClaimReview

    counts = Counter(("claims" if isinstance(a, ClaimReview) else str(a.meta.get("topic", "?")), a.status or "?")
                     for a in articles)
    topics = sorted({t for t, _ in counts})
    out = [f"{'topic':<10}{'vetted':>8}{'draft':>8}{'retired':>8}"]
    for topic in topics:
        out.append(f"{topic:<10}" + "".join(f"{counts[(topic, s)]:>8}" for s in ("vetted", "draft", "retired")))
    total = Counter(a.status for a in articles)
    out.append(f"{'total':<10}" + "".join(f"{total[s]:>8}" for s in ("vetted", "draft", "retired")))
    return "\n".join(out)


VERDICT_LABELS = {"documented": "DOCUMENTED", "disputed": "DISPUTED", "misattributed": "MISATTRIBUTED",
                  "unsupported": "UNSUPPORTED", "misleading": "MISLEADING", "outdated": "OUTDATED",
                  "related": "related sources (no rating)", "not_covered": "not covered"}


def check_report(result: dict) -> str:
    """`refuge check` for a terminal: each sentence, its kind, and for a claim the verdict,
    the cited note and its sources."""
    lines = [f"{result['chars']:,} characters, {sum(c['kind'] == 'claim' for c in result['claims'])} claim(s)", ""]
    for i, item in enumerate(result["claims"], 1):
        head = f"{i}. [{item['kind']}]"
        if item["verdict"]:
            head += f" {VERDICT_LABELS.get(item['verdict'], item['verdict'])}"
        lines.append(head)
        lines.append(textwrap.indent(textwrap.fill(f"“{item['text']}”", 88), "   "))
        if item["note"]:
            lines += [textwrap.indent(textwrap.fill(part, 88), "   ") for part in item["note"].split("\n\n")]
        for cite in item["citations"]:
            lines.append(f"   [{cite['n']}] {cite['title']}" + (f" — {cite['section']}" if cite["section"] else ""))
            for src in cite["sources"]:
                lines.append(f"       {src['publisher']}, \"{src['title']}\" ({src['published']}) {src['url']}")
        lines.append("")
    return "\n".join(lines).rstrip()
