"""Idempotence as a property: whatever the files say, right after apply the plan is empty.

Random trees of collections, one to three levels deep (three only on API 2.16, where
collections nest; on 2.9 the second level is sections, which have names only), with random
names and descriptions (surrounding whitespace, trailing newlines, empty or missing
descriptions, any subset of locales), go through real folders and YAML files and the real CLI
(`apply`, then `plan --detailed-exitcode`) against a sandbox over real HTTP. On 2.9 the same
help center is then planned again with api_version 2.16: switching versions plans no changes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import write_help_center
from contentsync.locales import LOCALES
from contentsync.model import clean_name
from contentsync.sandbox import SANDBOX_TOKEN, running_sandbox
from tests.clirun import Result, run

OTHER_LOCALES = [locale for locale in LOCALES if locale != "en"]
IDENTIFIER = "prop-help"
EXAMPLES = 40  # per API version: each is a fresh sandbox, an apply and one or two plans

letters = st.characters(blacklist_categories=("Cs", "Cc"))
padding = st.sampled_from(["", " ", "  ", "\t", " \n"])
name = st.builds(
    lambda pre, core, post: pre + core + post,
    padding,
    st.text(letters, min_size=1, max_size=12).filter(lambda s: s.strip()),
    padding,
)
description = st.one_of(
    st.none(),
    st.just(""),
    st.builds(lambda core, tail: core + tail, st.text(letters, max_size=30), padding),
)


def collections(depth: int, max_depth: int, described: bool) -> st.SearchStrategy[Any]:
    """A list of sibling collections (unique names), each with its children down to
    max_depth; `described`: whether this level may have descriptions."""
    text = st.fixed_dictionaries(
        {"name": name}, optional={"description": description} if described else {}
    )
    translations = st.dictionaries(st.sampled_from(OTHER_LOCALES), text, max_size=3)
    optional: dict[str, Any] = {"translations": translations}
    if described:
        optional["description"] = description
    if depth < max_depth:
        below = collections(depth + 1, max_depth, described=max_depth == 3)
        optional["children"] = below
    return st.lists(
        st.fixed_dictionaries({"name": name}, optional=optional),
        min_size=1 if depth == 1 else 0,
        max_size=3 if depth == 1 else 2,
        unique_by=lambda c: clean_name(c["name"]),
    )


def as_tree(siblings: list[dict[str, Any]]) -> dict[str, Any]:
    """Folder names in list order; children likewise."""
    return {
        f"{i}-c": {**c, "children": as_tree(c.get("children", []))}
        for i, c in enumerate(siblings, 1)
    }


def count(siblings: list[dict[str, Any]]) -> int:
    return sum(1 + count(c.get("children", [])) for c in siblings)


def cs(project: Path, url: str, api_version: str, *args: str) -> Result:
    (project / "contentsync.yaml").write_text(f'api_version: "{api_version}"\n', "utf-8")
    env = {"INTERCOM_ACCESS_TOKEN": SANDBOX_TOKEN, "INTERCOM_API_URL": None}
    return run("--api-url", url, *args, cwd=project, env=env)


@pytest.mark.parametrize("api_version", ["2.9", "2.16"])
@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.data())
def test_apply_then_plan_is_empty(api_version: str, data: Any) -> None:
    max_depth = 3 if api_version == "2.16" else 2
    siblings = data.draw(collections(1, max_depth, described=True), label="tree")
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_sandbox(None, [IDENTIFIER]) as sandbox,
    ):
        project = Path(tmp)
        write_help_center(project / "content", IDENTIFIER, as_tree(siblings))
        applied = cs(project, sandbox.url, api_version, "apply", "--auto-approve")
        assert applied.code == 0, applied.output
        assert f"Apply finished: {count(siblings)} done, 0 failed, 0 not run." in applied.out
        again = cs(project, sandbox.url, api_version, "plan", "--detailed-exitcode")
        assert again.code == 0, again.output
        if api_version == "2.9":
            switched = cs(project, sandbox.url, "2.16", "plan", "--detailed-exitcode")
            assert switched.code == 0, switched.output
