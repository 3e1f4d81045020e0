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

from contentsync.apply import ActionResult, ApplyReport
from contentsync.plan import SYMBOL, Action, Change, FieldChange, Plan

_STYLE: dict[Action, str] = {"create": "green", "update": "yellow", "delete": "red"}
_MD_ICON: dict[Action, str] = {"create": "➕ create", "update": "✏️ update", "delete": "➖ delete"}
_MAX_CELL = 300


def header_line(plan: Plan) -> str:
    """The first line of every rendering: what the plan talks to, so nobody reviews a plan
    made against the sandbox or another region believing it is production. Empty for a plan
    made offline, against no target (library use, the planner's golden cases), unless pins
    were ignored, which changes what is matched."""
    target = plan.target or plan.api_url
    pins = f"pinned ids ignored ({plan.pins_ignored})" if plan.pins_ignored else ""
    if not target:
        return pins[:1].upper() + pins[1:]
    version = f", Intercom API {plan.api_version}" if plan.api_version else ""
    return f"Target: {target}{version}" + (f"; {pins}" if pins else "")


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

    header = header_line(plan)
    lines: list[str] = [paint(_plain(header), "dim"), ""] if header else []
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
        return f"({f.words} word{'s' if f.words != 1 else ''})"
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


def result_line(result: ActionResult) -> str:
    """One finished action, as apply reports it while it runs."""
    ident = f" -> {result.id}" if result.id and result.change.action == "create" else ""
    detail = f" ({_plain(result.detail)})" if result.detail else ""
    change = result.change
    return f"{result.status}: {change.action} {_plain(change.label)}{ident}{detail}"


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
    return _md_inline(_squeeze(value))


def _squeeze(value: str) -> str:
    value = " ".join(value.split())
    return value[: _MAX_CELL - 1] + "…" if len(value) > _MAX_CELL else value


def _md_inline(text: str) -> str:
    text = _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=True))
    return _GITHUB_AUTO.sub(lambda m: m.group() + _ZWSP, text)


def md_note(note: str) -> str:
    """A plan note as markdown: what it quotes in backticks (`id: "1003"`, a flag) is shown as
    code, the rest as escaped plain text. The code is an HTML <code> element, so neither a
    backtick nor a quote in it can end it early, and a pipe cannot split the table row."""
    parts = _squeeze(note).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: all of it is text
        return md_escape(note)
    return "".join(
        f"<code>{html.escape(part, quote=False).replace('|', '&#124;')}</code>"
        if i % 2
        else _md_inline(part)
        for i, part in enumerate(parts)
    )


def _md_value(value: str | None) -> str:
    return "*(none)*" if value is None else f"“{md_escape(value)}”"


def _md_row(change: Change, *, details: bool = True) -> str:
    shown = []
    for f in change.fields if details else ():
        if _is_body(f):
            folded = " (diff below)" if f.diff and change.action == "update" else ""
            shown.append(f"`{f.path}`: {md_escape(_body_summary(f, change.action))}{folded}")
        elif change.action == "update":
            shown.append(f"`{f.path}`: {_md_value(f.before)} → {_md_value(f.after)}")
        else:
            value = f.after if change.action == "create" else f.before
            shown.append(f"`{f.path}`: {_md_value(value)}")
    shown += [f"⚠️ {md_note(note)}" for note in change.notes] if details else []
    ident = f" `{change.id}`" if change.id else ""
    return (
        f"| {_MD_ICON[change.action]} | {change.kind} **{md_escape(change.address)}**{ident} "
        f"| {'<br>'.join(shown)} |"
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


_TABLE_HEAD = ["| action | object | details |", "|---|---|---|"]


def _md_head(plan: Plan) -> list[str]:
    header = header_line(plan)
    head = ["## contentsync plan", ""] + ([f"_{md_escape(header)}_", ""] if header else [])
    head += [f"**{summary_line(plan)}**", ""]
    for h in plan.unsafe_help_centers():
        head.append(
            f"> ⚠️ **{md_escape(h.identifier)}**: deletes {h.deletes} of {h.live_objects} live "
            f"objects (over {plan.max_delete_fraction:.0%}); apply needs `--allow-mass-delete`."
        )
        head.append("")
    return head


def _md_tables(changes: Iterable[Change]) -> list[str]:
    body: list[str] = []
    for identifier, group in _by_help_center(changes).items():
        n = len(group)
        body += [f"### {md_escape(identifier)} — {n} change{'s' if n != 1 else ''}", ""]
        body += [*_TABLE_HEAD, *(_md_row(c) for c in group), ""]
        body += _md_body_diffs(group)
    return body


def render_markdown(plan: Plan, *, max_chars: int | None = None) -> str:
    head = _md_head(plan)
    body = _md_tables(plan.changes)
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
    return _cut(plan, head, max_chars)


def _cut(plan: Plan, head: list[str], max_chars: int) -> str:
    """A plan too long for a comment. Deletes are what a reviewer must not miss, so the
    deletes come first (with their details when they fit, else one line each); the other
    changes follow in plan order as far as room allows, and a note up front says what is
    missing and where the whole plan is."""
    deletes = [c for c in plan.changes if c.action == "delete"]
    others = [c for c in plan.changes if c.action != "delete"]
    room = max_chars - 400 - _size(head)  # 400: the note
    lines = _md_deletes(deletes, details=True) if deletes else []
    if _size(lines) > room:
        lines = _md_deletes(deletes, details=False)
    deletes_shown = len(deletes)
    while _size(lines) > room and deletes_shown > 0:  # not even one line each: as many as fit
        lines.pop(-2)  # the last row; the blank line stays
        deletes_shown -= 1
    shown = 0
    for line in _md_tables(others) if deletes_shown == len(deletes) else ():
        if _size(lines) + len(line) + 1 > room:
            break
        lines.append(line)
        shown += line.startswith("| ") and line not in _TABLE_HEAD
    if deletes_shown == len(deletes):
        which = "every delete is listed first; " if deletes else ""
    else:
        which = f"only {deletes_shown} of the {len(deletes)} deletes fit; "
    note = [
        f"> ✂️ **Plan cut to fit:** {which}{len(others) - shown} more change(s) are not shown "
        "here. The full plan is in the workflow's job summary and plan artifact.",
        "",
    ]
    return "\n".join(head + note + lines)[:max_chars]


def _md_deletes(deletes: list[Change], *, details: bool) -> list[str]:
    title = f"### Every delete ({len(deletes)})" + ("" if details else ", details cut")
    return [title, "", *_TABLE_HEAD, *(_md_row(c, details=details) for c in deletes), ""]


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


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
