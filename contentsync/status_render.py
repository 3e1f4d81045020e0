"""Translation status as text (a matrix per help center, or one locale's list), markdown (pull
request comments and job summaries) and json (for tools: docs/status.md lists its fields)."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from contentsync.githistory import NOW
from contentsync.locales import LANGUAGES
from contentsync.render import md_escape
from contentsync.status import (
    COLLECTION,
    ChangedItem,
    Counts,
    Entry,
    HelpCenterStatus,
    Lag,
    LocaleRow,
    Status,
)

FORMAT_VERSION = 1

# ---- words ------------------------------------------------------------------------------------


def _and(words: Iterable[str]) -> str:
    listed = list(words)
    return ", ".join(listed[:-1]) + f" and {listed[-1]}" if len(listed) > 1 else "".join(listed)


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _language(locale: str) -> str:
    return LANGUAGES.get(locale, locale)


def _commit(sha: str, times: Mapping[str, int]) -> str:
    if sha == NOW:
        return "uncommitted edits"
    day = datetime.fromtimestamp(times[sha], UTC).strftime("%Y-%m-%d")
    return f"{sha[:7]} ({day})"


def _percent(counts: Counts) -> str:
    return f"{100 * counts.up_to_date // counts.total}%" if counts.total else "-"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _plain(text: str) -> str:
    """No terminal control sequences from a title."""
    return _CONTROL.sub("?", text)


def _what(entry: Entry) -> str:
    """What is stale or missing in an item: the fields of a collection that are."""
    fields = entry.missing or tuple(lag.field for lag in entry.lags)
    if entry.item.kind != COLLECTION:
        return ""
    if entry.state == "missing" and len(fields) == len(entry.item.texts):
        return f" (translations.{entry.locale})"
    return f" ({', '.join(f'translations.{entry.locale}.{f}' for f in fields)})"


def _headline(hc: HelpCenterStatus) -> str:
    return (
        f"{hc.identifier}: {_count(hc.articles, 'article')} and "
        f"{_count(hc.collections, 'collection')} in {_language(hc.default_locale)} "
        f"({hc.default_locale})"
    )


def _notes(status: Status, hc: HelpCenterStatus) -> list[str]:
    settings = status.file(f"{hc.identifier}/_help_center.yaml")
    notes = []
    if not hc.locales_written:
        notes.append(
            f"{settings} has no 'locales:', so the locales are the ones the files use; "
            "list the help center's languages there to count what is missing in each"
        )
    undeclared = [row.locale for row in hc.rows if not row.declared]
    if undeclared and hc.locales_written:
        notes.append(
            f"{_and(undeclared)} {'is' if len(undeclared) == 1 else 'are'} not in 'locales:' "
            f"of {settings}: only the translations its files hold are counted"
        )
    return notes


# ---- text -------------------------------------------------------------------------------------


def render_text(status: Status) -> str:
    at = status.head[:7] if status.head else "no commit yet"
    lines = [
        f"Translation status at {at}" + (" and uncommitted edits" if status.uncommitted else ""),
    ]
    for hc in status.help_centers:
        lines += ["", _headline(hc), ""]
        width = max([6, *(len(row.locale) for row in hc.rows)])
        lines.append(f"  {'locale':<{width}}  {'up to date':>15}  {'stale':>5}  {'missing':>7}")
        for row in hc.rows:
            counts = row.all
            share = f"{counts.up_to_date}/{counts.total} {_percent(counts):>4}"
            stale, missing = counts.stale, counts.missing
            lines.append(f"  {row.locale:<{width}}  {share:>15}  {stale:>5}  {missing:>7}")
        if not hc.rows:
            lines.append("  (no translations and no locales: besides the default)")
        for note in _notes(status, hc):
            lines += textwrap.wrap(note, 98, initial_indent="  note: ", subsequent_indent="  ")
        if hc.changed is not None:
            lines += ["", *_changed_sentences(status, hc, markdown=False)]
    worst = next(
        (row for hc in status.help_centers for row in hc.rows if row.all.stale or row.all.missing),
        None,
    )
    if worst is not None:
        lines += [
            "",
            f"List a locale's stale and missing files: contentsync status --locale {worst.locale}",
        ]
    return "\n".join(lines) + "\n"


def render_locale_text(status: Status, locale: str) -> str:
    lines: list[str] = []
    for hc in status.help_centers:
        row = next((r for r in hc.rows if r.locale == locale), None)
        if row is None:
            why = (
                f"{locale} is its default locale: the text that is translated"
                if locale == hc.default_locale
                else f"no {locale} translations, and {locale} is not in 'locales:'"
            )
            lines += [f"{hc.identifier}: {why}", ""]
            continue
        counts = row.all
        lines.append(
            f"{locale} in {hc.identifier}: {counts.up_to_date} of {counts.total} up to date, "
            f"{counts.stale} stale, {counts.missing} missing"
        )
        entries = [e for e in hc.entries if e.locale == locale]
        language = _language(hc.default_locale)
        stale = [e for e in entries if e.state == "stale"]
        missing = [e for e in entries if e.state == "missing"]
        if stale:
            lines += ["", f"stale (the {language} text changed after the {locale} translation):"]
            for entry in stale:
                lines.append(_entry_line(status, entry))
                for lag in entry.lags:
                    lines.append(f"      {_lag_text(lag, language, locale, status.commit_times)}")
        if missing:
            lines += ["", "missing:"]
            lines += [_entry_line(status, entry) for entry in missing]
        lines.append("")
    example = next(
        (
            (lag.translation_commit[:7], status.file(e.item.path))
            for e in sorted(status.entries(locale), key=lambda e: e.item.kind == COLLECTION)
            for lag in e.lags
            if lag.translation_commit != NOW
        ),
        None,
    )
    if example is not None:
        since, source = example
        lines.append(
            f"What changed since a translation: git log -p --follow {since}..HEAD -- {source}"
        )
    return "\n".join(lines)


def _entry_line(status: Status, entry: Entry) -> str:
    title = _plain(entry.item.title)
    return f"  {entry.item.kind:<10}  {status.file(entry.file)}  {title}{_what(entry)}"


def _lag_text(lag: Lag, language: str, locale: str, times: Mapping[str, int]) -> str:
    field = "" if lag.field == "text" else f"{lag.field}: "
    return (
        f"{field}{language} changed in {_commit(lag.source_commit, times)}, "
        f"{locale} last in {_commit(lag.translation_commit, times)}"
    )


def _changed_sentences(status: Status, hc: HelpCenterStatus, *, markdown: bool) -> list[str]:
    """What the commits since --changed-since do to the translations: the pull request's
    sentences ("This changes the English text of 3 articles: fr, de and ja now lag.")."""
    changed = hc.changed or ()
    language = _language(hc.default_locale)
    edited = [c for c in changed if not c.added]
    added = [c for c in changed if c.added]
    name = md_escape(hc.identifier) if markdown else hc.identifier
    prefix = f"{name}: " if len(status.help_centers) > 1 else ""
    sentences = []
    if not changed:
        since = f"`{md_escape(status.since or '')}`" if markdown else status.since
        sentences.append(f"the commits since {since} change no {language} text.")
    if edited:
        lagging = _locales_of(c.lagging for c in edited)
        what = f"this changes the {language} text of {_kinds(edited)}"
        verb = "lags" if len(lagging) == 1 else "lag"
        sentences.append(
            f"{what}: {_and(lagging)} now {verb}." if lagging else f"{what}; no translation lags."
        )
    if added:
        missing = _locales_of(c.missing for c in added)
        what = f"this adds {_kinds(added)}"
        sentences.append(
            f"{what}, not yet translated into {_and(missing)}."
            if missing
            else f"{what}, translated."
        )
    return [prefix + s if prefix else s[0].upper() + s[1:] for s in sentences]


def _locales_of(groups: Iterable[tuple[str, ...]]) -> list[str]:
    seen: dict[str, None] = {}
    for group in groups:
        seen.update(dict.fromkeys(group))
    return list(seen)


def _kinds(changed: list[ChangedItem]) -> str:
    articles = sum(1 for c in changed if c.item.kind != COLLECTION)
    collections = len(changed) - articles
    parts = [_count(n, k) for n, k in ((articles, "article"), (collections, "collection")) if n]
    return _and(parts)


# ---- markdown ---------------------------------------------------------------------------------


def render_markdown(status: Status) -> str:
    lines = ["## Translation status", ""]
    if status.since is not None:
        for hc in status.help_centers:
            for sentence in _changed_sentences(status, hc, markdown=True):
                lines += [sentence, ""]
            rows = [c for c in hc.changed or () if c.lagging or c.missing]
            if rows:
                lines += [
                    "| | File | Now lag | Not translated |",
                    "|---|---|---|---|",
                    *(
                        f"| {c.item.kind} “{md_escape(c.item.title)}” "
                        f"| {md_escape(status.file(c.item.path))} "
                        f"| {', '.join(c.lagging) or '—'} | {', '.join(c.missing) or '—'} |"
                        for c in rows
                    ),
                    "",
                ]
        lines += ["<details><summary>Every locale</summary>", ""]
    for hc in status.help_centers:
        lines += [f"**{md_escape(_headline(hc))}**", ""]
        lines += ["| Locale | Up to date | Stale | Missing |", "|---|---:|---:|---:|"]
        for row in hc.rows:
            counts = row.all
            lines.append(
                f"| {row.locale} | {counts.up_to_date}/{counts.total} ({_percent(counts)}) "
                f"| {counts.stale} | {counts.missing} |"
            )
        lines += ["", *(f"> {md_escape(note)}" for note in _notes(status, hc))]
    if status.since is not None:
        lines += ["</details>", ""]
    return "\n".join(lines).rstrip() + "\n"


# ---- json -------------------------------------------------------------------------------------


def render_json(status: Status) -> str:
    return json.dumps(to_dict(status), indent=2, ensure_ascii=False) + "\n"


def to_dict(status: Status) -> dict[str, Any]:
    times = status.commit_times

    def commit(sha: str) -> dict[str, Any]:
        if sha == NOW:
            return {"sha": None, "uncommitted": True, "time": None}
        when = datetime.fromtimestamp(times[sha], UTC).isoformat().replace("+00:00", "Z")
        return {"sha": sha, "uncommitted": False, "time": when}

    def counts(c: Counts) -> dict[str, int]:
        return {
            "up_to_date": c.up_to_date,
            "stale": c.stale,
            "missing": c.missing,
            "total": c.total,
        }

    def row(r: LocaleRow) -> dict[str, Any]:
        return {
            "locale": r.locale,
            "declared": r.declared,
            **counts(r.all),
            "articles": counts(r.articles),
            "collections": counts(r.collections),
        }

    def entry(e: Entry) -> dict[str, Any]:
        return {
            "locale": e.locale,
            "state": e.state,
            "kind": e.item.kind,
            "source": status.file(e.item.path),
            "title": e.item.title,
            "file": status.file(e.file),
            "missing_fields": list(e.missing) if e.item.kind == COLLECTION else [],
            "stale": [
                {
                    "field": lag.field,
                    "source_commit": commit(lag.source_commit),
                    "translation_commit": commit(lag.translation_commit),
                }
                for lag in e.lags
            ],
        }

    def changed(c: ChangedItem) -> dict[str, Any]:
        return {
            "kind": c.item.kind,
            "source": status.file(c.item.path),
            "title": c.item.title,
            "added": c.added,
            "lagging": list(c.lagging),
            "missing": list(c.missing),
        }

    return {
        "format_version": FORMAT_VERSION,
        "head": status.head or None,
        "uncommitted": status.uncommitted,
        "content_dir": status.root,
        "changed_since": status.since,
        "help_centers": [
            {
                "identifier": hc.identifier,
                "default_locale": hc.default_locale,
                "locales_written": hc.locales_written,
                "articles": hc.articles,
                "collections": hc.collections,
                "locales": [row(r) for r in hc.rows],
                "entries": [entry(e) for e in hc.entries],
                "changed": None if hc.changed is None else [changed(c) for c in hc.changed],
            }
            for hc in status.help_centers
        ],
    }
