"""The README is a user guide: every file and link it names exists, and the project's
internals (how it is tested and measured) live in docs/internals.md instead."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)")


def _prose(doc: Path) -> str:
    """The text outside code blocks (an example's links are the example's)."""
    return re.sub(r"```.*?```", "", doc.read_text(encoding="utf-8"), flags=re.S)


def _anchors(doc: Path) -> set[str]:
    """The anchors GitHub gives a markdown file's headings."""
    headings = re.findall(r"^#+ (.+)$", _prose(doc), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_resolves(doc: Path) -> None:
    links = [
        (path, anchor)
        for path, anchor in LINK.findall(_prose(doc))
        if "://" not in path and not path.startswith("mailto:")
    ]
    missing = [p for p, _ in links if p and not (doc.parent / p).exists()]
    assert not missing, f"{doc.name} links to files that do not exist: {missing}"
    for path, anchor in links:
        target = doc.parent / path if path else doc
        if anchor and target.suffix == ".md":
            assert anchor in _anchors(target), f"{doc.name}: no heading for {path}#{anchor}"


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
