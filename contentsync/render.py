"""Plans and apply reports as text (terminal), markdown (pull requests, job summaries) and JSON.

Every function writes to, or returns, what it is given; nothing here decides policy. User
strings in markdown are escaped so a collection name cannot inject markdown or HTML.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from typing import IO

from contentsync.apply import ApplyReport
from contentsync.plan import SYMBOL, Action, Change, FieldChange, Plan

_STYLE: dict[Action, str] = {"create": "green", "update": "yellow", "delete": "red"}
_MD_ICON: dict[Action, str] = {"create": "➕ create", "update": "✏️ update", "delete": "➖ delete"}
_MAX_CELL = 300


def summary_line(plan: Plan) -> str:
    if plan.empty:
        return "No changes. The help center matches the content."
    n = plan.counts()
    return f"Plan: {n['create']} to create, {n['update']} to update, {n['delete']} to delete."


def _quote(value: str | None) -> str:
    # json.dumps escapes quotes and control characters, so values cannot break the layout.
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False)


def _by_help_center(changes: Iterable[Change]) -> dict[str, list[Change]]:
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(change.help_center, []).append(change)
    return dict(sorted(groups.items()))


# ---- text ------------------------------------------------------------------------------------


_ANSI = {"green": "32", "yellow": "33", "red": "31", "magenta": "35", "bold": "1", "dim": "2"}


def render_text(plan: Plan, stream: IO[str], *, color: bool = False) -> None:
    """The terminal rendering. Plain string building: 10,000 changes print in well under a
    second, where a rich print per line took tens of seconds."""

    def paint(text: str, style: str) -> str:
        return f"\x1b[{_ANSI[style]}m{text}\x1b[0m" if color else text

    lines: list[str] = []
    for identifier, changes in _by_help_center(plan.changes).items():
        lines.append(paint(_plain(identifier), "bold"))
        for change in changes:
            head = f"  {SYMBOL[change.action]} {change.action} {_plain(change.label)}"
            where = f"  {_plain(change.origin.path)}:{change.origin.line}" if change.origin else ""
            lines.append(paint(head, _STYLE[change.action]) + paint(where, "dim"))
            for f in change.fields:
                if _is_body(f):
                    lines.append(f"      {f.path}: {_body_summary(f, change.action)}")
                    if change.action == "update":
                        diff = _diff_lines(f)
                        lines += [paint(f"        {_plain(d)}", _diff_style(d)) for d in diff]
                    continue
                if change.action == "update":
                    text = f"{_quote(f.before)} -> {_quote(f.after)}"
                else:
                    text = _quote(f.after if change.action == "create" else f.before)
                lines.append(f"      {f.path}: {text}")
            lines += [paint(f"      ! {_plain(note)}", "magenta") for note in change.notes]
        lines.append("")
    if plan.unmanaged:
        lines.append(paint("Unmanaged", "bold") + " (prune: false; left alone):")
        lines += [
            f"  {_plain(u.help_center)}: {u.kind} {_plain(u.address)} ({u.id})"
            for u in plan.unmanaged
        ]
        lines.append("")
    for h in plan.unsafe_help_centers():
        message = (
            f"! {h.identifier}: deletes {h.deletes} of {h.live_objects} live objects, more than "
            f"{plan.max_delete_fraction:.0%}; apply needs --allow-mass-delete"
        )
        lines.append(paint(message, "red"))
    lines.append(paint(summary_line(plan), "bold"))
    stream.write("\n".join(lines) + "\n")


def _is_body(f: FieldChange) -> bool:
    return f.path.endswith("body")


def _body_summary(f: FieldChange, action: Action) -> str:
    """A new body by its size; a changed one by the diff of its readable text, below."""
    if action == "create":
        return f"({len(f.after or '')} characters of text)"
    if action == "delete":
        return "(deleted)"
    return "changed:" if f.diff else "changed"


def _diff_lines(f: FieldChange) -> list[str]:
    return f.diff.splitlines()[2:]  # the ---/+++ header says nothing here


def _diff_style(line: str) -> str:
    return {"+": "green", "-": "red", "@": "dim"}.get(line[:1], "dim")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _plain(text: str) -> str:
    """No terminal control sequences from user strings (a name could hold an escape code)."""
    return _CONTROL.sub("?", text)


def render_report_text(report: ApplyReport, stream: IO[str]) -> None:
    done, failed, not_run = (report.with_status(s) for s in ("done", "failed", "not run"))
    stream.write(
        f"Apply {'interrupted' if report.interrupted else 'finished'}: {len(done)} done, "
        f"{len(failed)} failed, {len(not_run)} not run.\n"
    )
    for result in failed:
        stream.write(f"  failed:  {result.change.label}: {result.detail}\n")
    for result in not_run:
        stream.write(f"  not run: {result.change.action} {result.change.label}\n")


# ---- markdown ----------------------------------------------------------------------------------

# Inside a table cell only these can start markup (user text never begins a line, and HTML is
# entity-escaped first); escaping more only makes the raw comment harder to read.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


# What GitHub turns into a notification or a link inside plain text: @mentions (and e-mail
# addresses), #123 references, and bare URLs. A zero-width space after the trigger breaks each
# (what Renovate does for the same reason); the reader sees the text unchanged.
_GITHUB_AUTO = re.compile(r"@(?=\w)|#(?=\d)|:(?=//)|www(?=\.)", re.IGNORECASE)
_ZWSP = "&#8203;"


def md_escape(value: str) -> str:
    """Plain text for a markdown table cell: no markup, no HTML, no line breaks, not endless,
    and nothing GitHub would turn into a mention, a reference or a link."""
    value = " ".join(value.split())
    if len(value) > _MAX_CELL:
        value = value[: _MAX_CELL - 1] + "…"
    text = _MD_SPECIAL.sub(r"\\\1", html.escape(value, quote=True))
    return _GITHUB_AUTO.sub(lambda m: m.group() + _ZWSP, text)


def _md_value(value: str | None) -> str:
    return "*(none)*" if value is None else f"“{md_escape(value)}”"


def _md_row(change: Change) -> str:
    details = []
    for f in change.fields:
        if _is_body(f):
            folded = " (diff below)" if f.diff and change.action == "update" else ""
            details.append(f"`{f.path}`: {md_escape(_body_summary(f, change.action))}{folded}")
        elif change.action == "update":
            details.append(f"`{f.path}`: {_md_value(f.before)} → {_md_value(f.after)}")
        else:
            value = f.after if change.action == "create" else f.before
            details.append(f"`{f.path}`: {_md_value(value)}")
    details += [f"⚠️ {md_escape(note)}" for note in change.notes]
    ident = f" `{change.id}`" if change.id else ""
    return (
        f"| {_MD_ICON[change.action]} | {change.kind} **{md_escape(change.address)}**{ident} "
        f"| {'<br>'.join(details)} |"
    )


def _md_body_diffs(changes: list[Change]) -> list[str]:
    """Each changed body's diff, folded: a pull request shows the words that change."""
    out = []
    for change in changes:
        for f in change.fields:
            if not (_is_body(f) and f.diff and change.action == "update"):
                continue
            text = "\n".join(_diff_lines(f))
            fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", text)), default=0))
            summary = f"{f.path} of {md_escape(change.address)}"
            out += [f"<details><summary>{summary}</summary>", "", f"{fence}diff", text, fence]
            out += ["", "</details>", ""]
    return out


def render_markdown(plan: Plan, *, max_chars: int | None = None) -> str:
    head = ["## contentsync plan", "", f"**{summary_line(plan)}**", ""]
    for h in plan.unsafe_help_centers():
        head.append(
            f"> ⚠️ **{md_escape(h.identifier)}**: deletes {h.deletes} of {h.live_objects} live "
            f"objects (over {plan.max_delete_fraction:.0%}); apply needs `--allow-mass-delete`."
        )
        head.append("")
    body: list[str] = []
    for identifier, changes in _by_help_center(plan.changes).items():
        n = len(changes)
        body += [f"### {md_escape(identifier)} — {n} change{'s' if n != 1 else ''}", ""]
        body += ["| action | object | details |", "|---|---|---|"]
        body += [_md_row(c) for c in changes]
        body.append("")
        body += _md_body_diffs(changes)
    if plan.unmanaged:
        body += [f"<details><summary>Unmanaged objects ({len(plan.unmanaged)})</summary>", ""]
        body += [
            f"- {md_escape(u.help_center)}: {u.kind} {md_escape(u.address)} `{u.id}`"
            for u in plan.unmanaged
        ]
        body += ["", "</details>", ""]
    text = "\n".join(head + body)
    if max_chars is None or len(text) <= max_chars:
        return text
    return _cut(head, body, max_chars)


def _cut(head: list[str], body: list[str], max_chars: int) -> str:
    kept = list(head)
    size = len("\n".join(kept))
    rows_total = sum(
        1 for line in body if line.startswith("| ") and not line.startswith("| action")
    )
    shown = 0
    reserve = 300
    for line in body:
        if size + len(line) + 1 > max_chars - reserve:
            break
        kept.append(line)
        size += len(line) + 1
        if line.startswith("| ") and not line.startswith("| action"):
            shown += 1
    kept += [
        "",
        f"> ✂️ **Plan cut to fit:** {rows_total - shown} more change(s) are not shown here. "
        "The full plan is in the workflow's job summary and plan artifact.",
    ]
    return "\n".join(kept)[:max_chars]


def render_refusal_markdown(reason: str) -> str:
    return f"## contentsync apply refused\n\n{md_escape(reason)}\n"


def render_report_markdown(report: ApplyReport) -> str:
    done, failed, not_run = (report.with_status(s) for s in ("done", "failed", "not run"))
    title = "interrupted" if report.interrupted else ("failed" if failed else "finished")
    lines = [
        f"## contentsync apply {title}",
        "",
        f"**{len(done)} done, {len(failed)} failed, {len(not_run)} not run.**",
        "",
    ]
    if report.results:
        lines += ["| result | action | object | detail |", "|---|---|---|---|"]
        for r in report.results:
            ident = f" `{r.id}`" if r.id else ""
            lines.append(
                f"| {r.status} | {r.change.action} | {r.change.kind} "
                f"**{md_escape(r.change.address)}**{ident} | {md_escape(r.detail)} |"
            )
        lines.append("")
    return "\n".join(lines)


# ---- json ------------------------------------------------------------------------------------


def render_json(plan: Plan) -> str:
    """Compact on purpose: an indented dump goes through json's pure-Python encoder, 10x slower
    on large plans. Pipe through `python -m json.tool` to read it."""
    return json.dumps(plan.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"
