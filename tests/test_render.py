"""Text, markdown and JSON renderings of a plan. The markdown goes into pull-request comments,
so it must survive any name: no markdown or HTML injection, tables intact, sizes bounded."""

from __future__ import annotations

import html
import io
import itertools
import json
import re

import pytest

from contentsync.model import Origin
from contentsync.plan import Change, FieldChange, HelpCenterSummary, Plan, Unmanaged
from contentsync.render import md_escape, render_json, render_markdown, render_text

_positions = itertools.count(1)


def change(action: str, kind: str, address: str, **kw: object) -> Change:
    """A change in plan order of creation (positions count up); depth from the address."""
    return Change(
        action=action,  # type: ignore[arg-type]
        kind=kind,  # type: ignore[arg-type]
        help_center=str(kw.pop("help_center", "acme-help")),
        address=address,
        ref=str(kw.pop("ref", f"{kind}:{address}")),
        name=address.split(" / ")[-1],
        position=int(str(kw.pop("position", next(_positions)))),
        depth=address.count(" / ") + 1,
        **kw,  # type: ignore[arg-type]
    )


def sample_plan() -> Plan:
    return Plan(
        changes=(
            change(
                "create", "collection", "Billing", help_center_id="1",
                fields=(FieldChange("name", None, "Billing"),),
                origin=Origin("content/acme-help/billing/_collection.yaml", 1),
            ),
            change(
                "update", "collection", "Guide / Install", id="20",
                fields=(FieldChange("translations.fr.name", "Installer", "Installation"),),
            ),
            change(
                "delete", "collection", "Old", id="10",
                fields=(FieldChange("name", "Old", None),), notes=("move articles first",),
            ),
            change("create", "collection", "Beta", help_center="beta-help"),
        ),
        help_centers=(HelpCenterSummary("acme-help", 4, 1), HelpCenterSummary("beta-help", 0, 0)),
        unmanaged=(Unmanaged("collection", "acme-help", "99", "Guide / Stray"),),
        content_digest="c" * 64,
        live_digest="l" * 64,
        api_url="http://127.0.0.1:8000",
    )  # fmt: skip


def text(plan: Plan) -> str:
    out = io.StringIO()
    render_text(plan, out, color=False)
    return out.getvalue()


# ---- text ------------------------------------------------------------------------------------


def test_text_symbols_fields_and_summary() -> None:
    out = text(sample_plan())
    assert "  + create collection Billing  content/acme-help/billing/_collection.yaml:1" in out
    assert "  ~ update collection Guide / Install (20)" in out
    assert '      translations.fr.name: "Installer" -> "Installation"' in out
    assert "  - delete collection Old (10)" in out
    assert "      ! move articles first" in out
    assert "acme-help: collection Guide / Stray (99)" in out
    assert out.index("acme-help\n") < out.index("beta-help\n")
    assert out.rstrip().splitlines()[-1] == "Plan: 2 to create, 1 to update, 1 to delete."
    assert "\x1b[" not in out


def test_text_colour_only_when_asked_and_no_escape_codes_from_names() -> None:
    out = io.StringIO()
    render_text(sample_plan(), out, color=True)
    assert "\x1b[32m" in out.getvalue()
    evil = Plan((change("create", "collection", "x\x1b[2Jy"),), (HelpCenterSummary("a", 0, 0),))
    assert "\x1b" not in text(evil)


def test_text_empty_plan() -> None:
    assert text(Plan((), ())) == "No changes. The help center matches the content.\n"


# ---- markdown --------------------------------------------------------------------------------


def test_markdown_summary_first_and_a_table_per_help_center() -> None:
    md = render_markdown(sample_plan())
    lines = md.splitlines()
    summary = next(i for i, line in enumerate(lines) if "Plan: 2 to create" in line)
    first_table = next(i for i, line in enumerate(lines) if line.startswith("| action"))
    assert summary < first_table
    assert md.count("| action | object | details |") == 2
    assert md.index("### acme-help") < md.index("### beta-help")


def test_markdown_no_changes() -> None:
    assert "No changes." in render_markdown(Plan((), ()))
    assert "| action" not in render_markdown(Plan((), ()))


# Any name a writer, or an attacker with write access to a fork, can put in a YAML file.
HOSTILE = [
    "a | b || c",
    "\\| escaped pipe",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<details><summary>x</summary>",
    "[link](javascript:alert(1))",
    "![pixel](https://evil.example/track.png)",
    "**bold** _it_ ~~strike~~ `code`",
    "```\nfenced\n```",
    "# heading\n## another",
    "> quote",
    "- list item",
    "@channel @everyone",
    "ping @octocat and @acme/support",
    "fixes #123, acme/site#7 and GH-9",
    "https://evil.example/x and HTTP://EVIL.EXAMPLE",
    "www.evil.example",
    "mail someone@evil.example",
    "line\nbreak\r\nand more",
    "&lt;script&gt; &amp;",
    "x" * 10_000,
]


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


@pytest.mark.parametrize("name", HOSTILE, ids=range(len(HOSTILE)))
def test_markdown_hostile_names(name: str) -> None:
    plan = Plan(
        (
            change(
                "update", "collection", f"{name} / {name}", id="1",
                translations={"fr": {"name": name, "description": ""}},
                fields=(
                    FieldChange("name", name, name + "!"),
                    FieldChange("translations.fr.name", None, name),
                ),
                notes=(name,),
            ),
        ),
        (HelpCenterSummary("acme-help", 1, 0),),
        unmanaged=(Unmanaged("collection", "acme-help", "2", name),),
    )  # fmt: skip
    md = render_markdown(plan)
    rows = [line for line in md.splitlines() if line.startswith("|")]
    assert len(rows) == 3  # header, rule, one change: nothing escaped the row
    assert all(unescaped_pipes(row) == 4 for row in rows), rows
    lowered = md.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<summary>x" not in lowered
    assert not re.search(r"(?<!\\)\]\(", md)  # no live link or image syntax
    assert not re.search(r"(?<!\\)\*\*bold", md)  # no emphasis from user text
    assert "\n#" not in md.split("### ", 2)[-1].split("\n", 1)[-1]  # no injected heading
    # Nothing GitHub would turn into a mention, an issue reference or a link.
    seen = md.replace("&#8203;", "\u200b")  # the entity is a zero-width space on the page
    assert not re.search(r"@\w|#\d|://|www\.", seen, re.IGNORECASE), md
    assert "```" not in md
    if name.startswith("&lt;"):  # entities are shown as typed, never decoded into tags
        assert "&amp;lt;script&amp;gt;" in md
    assert max(len(row) for row in rows) < 3_000  # long values are cut, not pasted whole
    assert len(md) < 5_000


def test_markdown_escape_keeps_the_text_readable() -> None:
    assert md_escape("Billing & plans") == "Billing &amp; plans"
    assert md_escape("a|b") == "a\\|b"
    assert md_escape("two\nlines") == "two lines"
    assert md_escape("x" * 500).endswith("…") and len(md_escape("x" * 500)) == 300


def test_markdown_plain_names_are_rendered_as_written() -> None:
    plan = Plan(
        (
            change(
                "update", "collection", "Getting started / Getting started", id="1",
                fields=(FieldChange("name", "Getting started", "Getting started!"),),
            ),
        ),
        (HelpCenterSummary("acme-help", 1, 0),),
    )  # fmt: skip
    md = render_markdown(plan)
    assert "**Getting started / Getting started**" in md
    assert "“Getting started” → “Getting started!”" in md


@pytest.mark.parametrize("limit", [65536, 60000])
def test_markdown_cut_to_max_chars(limit: int) -> None:
    changes = tuple(
        change(
            "update", "collection", f"Collection {i // 50} / Section number {i}", id=str(i),
            fields=(FieldChange("name", f"Section {i}", f"Section number {i}"),),
        )
        for i in range(5000)
    )  # fmt: skip
    plan = Plan(changes, (HelpCenterSummary("acme-help", 5000, 0),))
    full = render_markdown(plan)
    assert len(full) > limit
    md = render_markdown(plan, max_chars=limit)
    assert len(md) <= limit
    assert "**Plan: 0 to create, 5000 to update, 0 to delete.**" in md
    shown = sum(1 for line in md.splitlines() if line.startswith("| ✏️"))
    match = re.search(r"(\d+) more change\(s\) are not shown", md)
    assert match is not None
    assert int(match.group(1)) == 5000 - shown and shown > 0
    assert render_markdown(plan, max_chars=len(full)) == full


# ---- json ------------------------------------------------------------------------------------


def test_json_format_version_order_and_round_trip() -> None:
    plan = sample_plan()
    rendered = render_json(plan)
    data = json.loads(rendered)
    assert data["format_version"] == 3
    assert list(data) == [
        "format_version", "api_url", "target", "api_version", "pins_ignored", "content_digest",
        "live_digest", "max_delete_fraction", "summary", "help_centers", "changes", "unmanaged",
    ]  # fmt: skip
    assert render_json(Plan.from_dict(data)) == rendered
    assert Plan.from_dict(data) == plan
    assert Plan.from_dict(data).changes == plan.changes


def test_json_has_no_token_like_strings() -> None:
    plan = Plan(
        (
            change(
                "create",
                "collection",
                "C",
                translations={"fr": {"name": "Nom", "description": "d"}},
            ),
        ),
        (HelpCenterSummary("acme-help", 0, 0),),
        api_url="https://api.intercom.io",
    )
    rendered = render_json(plan)
    assert not re.search(r"(?i)token|bearer|authorization|dG9r", rendered)


def test_broken_mentions_and_links_read_the_same() -> None:
    text = "Ask @octocat about #12 at https://help.example or www.example.com"
    shown = html.unescape(md_escape(text)).replace("\u200b", "")
    assert shown == text
