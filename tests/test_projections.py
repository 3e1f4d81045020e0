"""Projections remembered between runs: keys equal exactly when the projections are, a file
that is not ours is forgotten, and a remembered projection never hides an edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from contentsync.canonical import canonical
from contentsync.projections import Projections
from contentsync.sandbox.intercom_html import served, store
from tests.clirun import run
from tests.test_canonical import DIFFERENT, SAME

EXAMPLE = Path(__file__).resolve().parents[1] / "content"
REFUND = Path("content/acme-help/3-billing/3-refunds/request-a-refund.fr.md")
IMAGE = (
    '<p>See <img src="https://downloads.intercomcdn.com/i/o/1/ab/button.png?expires=1&amp;'
    'signature=aa" alt="The button"></p>'
)


@pytest.mark.parametrize(("ours", "theirs"), SAME)
def test_what_compares_equal_has_one_key(ours: str, theirs: str) -> None:
    projections = Projections()
    assert projections.key(ours) == projections.key(theirs)


@pytest.mark.parametrize(("before", "after"), DIFFERENT)
def test_every_edit_changes_the_key(before: str, after: str) -> None:
    projections = Projections()
    assert projections.key(before) != projections.key(after)


def test_a_body_read_twice_is_remembered_across_image_signatures(tmp_path: Path) -> None:
    stored = store(IMAGE)
    first, second = served(stored, 1_000.0), served(stored, 2_000.0)
    assert first != second  # Intercom signs image URLs anew on every read
    projections = Projections()
    assert projections.key(first) == projections.key(second)
    assert projections.computed == 1
    projections.save(tmp_path / "projections")
    again = Projections.load(tmp_path / "projections")
    assert again.key(served(stored, 3_000.0)) == projections.key(first)
    assert again.computed == 0
    # a different image (or alt text) is a different body, signed or not
    assert again.key(first.replace("button.png", "other.png")) != again.key(first)
    assert again.key(first.replace("The button", "A button")) != again.key(first)


def test_keys_are_of_the_projection_not_of_the_html() -> None:
    a, b = SAME[0]
    assert Projections().key(a) == Projections().key(b)
    assert canonical(a) == canonical(b)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"another version's header" + data[24:],  # canonical.py changed
        lambda data: data[:-5],  # cut short
        lambda data: b"",
    ],
)
def test_a_file_that_is_not_this_versions_is_forgotten(tmp_path: Path, damage: object) -> None:
    path = tmp_path / "projections"
    projections = Projections()
    projections.key("<p>a</p>")
    projections.save(path)
    assert callable(damage)
    path.write_bytes(damage(path.read_bytes()))
    again = Projections.load(path)
    again.key("<p>a</p>")
    assert again.computed == 1
    again.save(path)
    assert Projections.load(path).key("<p>a</p>") and Projections.load(path)._known


def test_a_missing_or_unreadable_file_is_an_empty_memory(tmp_path: Path) -> None:
    assert Projections.load(tmp_path / "none")._known == {}
    assert Projections.load(tmp_path)._known == {}  # a folder: unreadable as a file


def test_save_keeps_only_what_this_run_compared(tmp_path: Path) -> None:
    path = tmp_path / "projections"
    first = Projections()
    first.key("<p>old</p>")
    first.save(path)
    second = Projections.load(path)
    second.key("<p>new</p>")
    second.save(path)
    assert list(Projections.load(path)._known.values()) == [
        bytes.fromhex(Projections().key("<p>new</p>"))
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["projections"]  # no scratch file left


def test_plan_remembers_projections_and_an_edit_still_shows(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "content")
    assert run("--sandbox", "apply", "--auto-approve", cwd=tmp_path).code == 0
    remembered = tmp_path / ".contentsync" / "projections"
    assert not remembered.exists()  # creates compare no bodies
    first = run("--sandbox", "-v", "plan", "--detailed-exitcode", cwd=tmp_path)
    assert first.code == 0, first.output
    assert "projected 22 article bodies not seen before" in first.err  # 11 bodies, 2 sides
    assert remembered.is_file()
    assert "# contentsync's scratch files" in (tmp_path / ".contentsync" / ".gitignore").read_text()
    again = run("--sandbox", "-v", "plan", "--detailed-exitcode", cwd=tmp_path)
    assert again.code == 0, again.output
    assert "projected 0 article bodies not seen before" in again.err
    path = tmp_path / REFUND
    path.write_text(
        path.read_text(encoding="utf-8").replace("5 jours ouvrés", "3 jours ouvrés"), "utf-8"
    )
    edited = run("--sandbox", "-v", "plan", "--detailed-exitcode", cwd=tmp_path)
    assert edited.code == 2, edited.output
    assert "projected 1 article bodies not seen before" in edited.err
    assert "-p Un remboursement prend **5 jours ouvrés**" in edited.out
    assert "+p Un remboursement prend **3 jours ouvrés**" in edited.out
