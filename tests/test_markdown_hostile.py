"""The pull-request rendering must survive any name a writer (or an attacker with write access
to a fork) can put in a YAML file: no markdown or HTML injection, tables intact, sizes bounded."""

from __future__ import annotations

import json
import re

import pytest

from contentsync.model import Text
from contentsync.plan import Change, FieldChange, HelpCenterSummary, Plan
from contentsync.render import md_escape, render_json, render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    "![pixel](https://evil.example/track.png)",
    "**bold** _it_ ~~strike~~ `code`",
    "# Heading\n## Another",
    "a | b | c",
    "line one\nline two\r\nline three",
    "&lt;already escaped&gt; &amp;",
    "<details><summary>x</summary>",
    "\\| escaped pipe",
    "```\nfenced\n```",
    "> quote",
    "- list item",
    "@channel @everyone",
    "x" * 10_000,
]


def plan_with(name: str) -> Plan:
    change = Change(
        action="update", kind="section", help_center="acme-help", address=f"{name} / {name}",
        ref="section:1", name=name, id="1", translations={"fr": Text(name)},
        fields=(
            FieldChange("name", name, name + "!"),
            FieldChange("translations.fr.name", None, name),
        ),
        notes=(f"note about {name}",),
    )  # fmt: skip
    return Plan(changes=(change,), help_centers=(HelpCenterSummary("acme-help", 1, 0),))


def table_rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("| ")]


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


@pytest.mark.parametrize("name", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_names_cannot_inject(name: str) -> None:
    markdown = render_markdown(plan_with(name))
    rows = table_rows(markdown)
    assert len(rows) == 2  # header + one change: nothing broke out of the table
    assert all(unescaped_pipes(row) == 4 for row in rows), rows
    lowered = markdown.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<summary>x" not in lowered
    assert re.search(r"(?<!\\)\]\(", markdown) is None  # no link or image syntax survives
    assert re.search(r"(?<!\\)\*\*bold", markdown) is None  # no emphasis from user text
    assert "\n#" not in markdown.split("### ", 2)[-1].split("\n", 1)[-1]  # no injected heading
    assert "```" not in markdown
    assert max(len(row) for row in rows) < 3_000  # long values are cut, not pasted whole


def test_escape_keeps_the_text_readable() -> None:
    assert md_escape("Billing & plans") == "Billing &amp; plans"
    assert md_escape("a|b") == "a\\|b"
    assert md_escape("two\nlines") == "two lines"
    assert md_escape("x" * 500).endswith("…") and len(md_escape("x" * 500)) == 300


def test_plain_names_are_rendered_as_written() -> None:
    markdown = render_markdown(plan_with("Getting started"))
    assert "**Getting started / Getting started**" in markdown
    assert "“Getting started” → “Getting started!”" in markdown


def test_summary_first_and_no_changes() -> None:
    empty = Plan(changes=(), help_centers=())
    assert render_markdown(empty).splitlines()[:3] == [
        "## contentsync plan", "", "**No changes. The help center matches the content.**",
    ]  # fmt: skip
    rendered = render_markdown(plan_with("X"))
    assert rendered.splitlines()[2] == "**Plan: 0 to create, 1 to update, 0 to delete.**"


@pytest.mark.parametrize("limit", [60_000, 65_536])
def test_huge_plans_are_cut_to_fit_a_comment(limit: int) -> None:
    changes = tuple(
        Change(
            action="create",
            kind="collection",
            help_center="acme-help",
            address=f"Collection {i}",
            ref=f"collection:acme-help:{i}",
            name=f"Collection {i}",
            fields=(FieldChange("name", None, f"Collection {i}"),),
        )
        for i in range(5_000)
    )
    plan = Plan(changes=changes, help_centers=(HelpCenterSummary("acme-help", 0, 0),))
    full = render_markdown(plan)
    assert len(full) > limit
    cut = render_markdown(plan, max_chars=limit)
    assert len(cut) <= limit
    assert "**Plan: 5000 to create, 0 to update, 0 to delete.**" in cut
    shown = len(table_rows(cut)) - 1
    assert f"{5000 - shown} more change(s) are not shown" in cut
    assert render_markdown(plan, max_chars=len(full)) == full


def test_json_rendering_is_versioned_and_stable() -> None:
    plan = plan_with("<b>x</b>")
    text = render_json(plan)
    data = json.loads(text)
    assert data["format_version"] == 1
    assert list(data) == [
        "format_version", "api_url", "content_digest", "live_digest", "max_delete_fraction",
        "summary", "help_centers", "changes", "unmanaged",
    ]  # fmt: skip
    assert Plan.from_dict(data) == plan
    assert render_json(Plan.from_dict(data)) == text
