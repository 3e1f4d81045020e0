"""The README is a user guide: every file and link it names exists, and the project's
internals (how it is tested and measured) live in docs/internals.md instead."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_resolves(doc: Path) -> None:
    text = re.sub(r"```.*?```", "", doc.read_text(encoding="utf-8"), flags=re.S)
    targets = [t for t in LINK.findall(text) if "://" not in t and not t.startswith("mailto:")]
    missing = [t for t in targets if not (doc.parent / t).exists()]
    assert not missing, f"{doc.name} links to files that do not exist: {missing}"


def test_every_repository_path_the_readme_names_exists() -> None:
    """Paths in this repository; `.github/workflows/...` in the README is the user's own."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:docs|tests|scripts|benchmarks|contentsync)/[^`\s]+)`", text))
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, missing


@pytest.mark.parametrize("internal", ["actionlint", "gc.freeze", "Changes to the contract",
                                      "jsonschema-rs", "make bench"])  # fmt: skip
def test_the_readme_leaves_internals_to_docs(internal: str) -> None:
    assert internal not in (ROOT / "README.md").read_text(encoding="utf-8")
    assert internal in (ROOT / "docs" / "internals.md").read_text(encoding="utf-8")
