"""Idempotence as a property: whatever the files say, right after apply the plan is empty.

Random names and descriptions (surrounding whitespace, trailing newlines, empty or missing
descriptions, any subset of locales) go through real YAML files, the loader, a real apply
against the sandbox over HTTP, a fresh read of the live state, and a new plan.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contentsync.apply import apply_plan
from contentsync.client import IntercomClient
from contentsync.diff import make_plan
from contentsync.live import read_live
from contentsync.loader import load_content
from contentsync.locales import LOCALES
from contentsync.model import clean_name
from contentsync.sandbox import SANDBOX_TOKEN, RunningSandbox, running_sandbox

OTHER_LOCALES = [locale for locale in LOCALES if locale != "en"]
_counter = itertools.count()

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
translations = st.dictionaries(
    st.sampled_from(OTHER_LOCALES),
    st.fixed_dictionaries({"name": name}, optional={"description": description}),
    max_size=4,
)
section = st.fixed_dictionaries({"name": name}, optional={"translations": translations})
collection = st.fixed_dictionaries(
    {"name": name},
    optional={
        "description": description,
        "translations": translations,
        "sections": st.lists(section, max_size=3, unique_by=lambda s: clean_name(s["name"])),
    },
)
collections = st.lists(
    collection, min_size=1, max_size=3, unique_by=lambda c: clean_name(c["name"])
)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(None) as sb:
        yield sb


def _without_section_descriptions(doc: dict[str, Any]) -> dict[str, Any]:
    for s in doc.get("sections", []):
        for text in s.get("translations", {}).values():
            text.pop("description", None)
    return doc


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(docs=collections)
def test_apply_then_plan_is_empty(sandbox: RunningSandbox, docs: list[dict[str, Any]]) -> None:
    identifier = f"prop-{next(_counter)}"
    sandbox.state.ensure_help_centers([identifier])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "content" / identifier
        folder.mkdir(parents=True)
        for i, doc in enumerate(docs):
            text = yaml.safe_dump(_without_section_descriptions(doc), allow_unicode=True)
            (folder / f"c{i}.yaml").write_text(text, encoding="utf-8")
        desired = load_content(Path(tmp) / "content")
    with IntercomClient(sandbox.url, SANDBOX_TOKEN) as client:
        first = make_plan(desired, read_live(client))
        assert first.counts()["create"] == len(docs) + sum(len(d.get("sections", [])) for d in docs)
        report = apply_plan(first, client)
        assert report.ok, [r.detail for r in report.results if r.status != "done"]
        again = make_plan(desired, read_live(client))
    assert again.empty, [(c.label, c.fields) for c in again.changes]
