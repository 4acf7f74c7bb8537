"""A LinkResult's summary -> the text `riskreg link` prints."""

from __future__ import annotations


def _entry(entry: tuple) -> str:
    edition, kind, ref, title = entry
    label = f"{ref}" if kind == "risk" else f"{ref} ({kind})"
    return f"{label} {_short(title)}"


def _short(title: str | None, width: int = 60) -> str:
    if not title:
        return "(no title)"
    title = " ".join(title.split())
    return f'"{title}"' if len(title) <= width else f'"{title[: width - 1]}…"'


def format_summary(summary: dict[str, dict]) -> str:
    """Per organisation: the links with their scores, new entries, disappeared entries."""
    out = []
    for organisation, s in summary.items():
        links = s.get("links", [])
        same = sum(1 for lk in links if lk["relation"] == "same")
        out.append(
            f"{organisation}: {len(s.get('editions', []))} editions, {same} same, "
            f"{len(links) - same} related, {len(s.get('new', []))} new, "
            f"{len(s.get('disappeared', []))} disappeared"
        )
        edition_pair = None
        for lk in links:
            pair = (lk["from"][0], lk["to"][0])
            if pair != edition_pair:
                out.append(f"  {pair[0]} -> {pair[1]}")
                edition_pair = pair
            flag = " [override]" if lk.get("source") == "override" else ""
            out.append(
                f"    {lk['relation']:<7} {lk['score']:.2f}  {_entry(lk['from'])} -> "
                f"{_entry(lk['to'])}{flag}"
            )
        for heading, key in (("new", "new"), ("disappeared", "disappeared")):
            entries = s.get(key, [])
            if entries:
                out.append(f"  {heading}:")
                out.extend(f"    {e[0]} {_entry(e)}" for e in entries)
        for message in s.get("unmatched_overrides", []):
            out.append(f"  warning: {message}")
    return "\n".join(out) + ("\n" if out else "")
