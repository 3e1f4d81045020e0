"""`contentsync validate`: the malformed-file corpus in tests/invalid/, and the clean paths.

Each folder in tests/invalid/ is a tiny project (content/<help-center>/..., maybe a
contentsync.yaml) with expected.txt: the exact problem lines validate must print on stderr.
A folder with xfail.txt is a known bug or unhelpful message; expected.txt holds what the
output should be, and the test is a strict xfail until the loader is fixed.
"""

from __future__ import annotations

import re
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from benchmarks.generate import write_help_center
from contentsync.locales import LOCALE_SET
from tests.clirun import Result, run

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "content"
INVALID = Path(__file__).resolve().parent / "invalid"
CASES = sorted(p.name for p in INVALID.iterdir() if p.is_dir())
SUMMARY = re.compile(r"\d+ problems? found\.")
WARNING = re.compile(r"^\S+:\d+:\d+: warning: ")
NO_NETWORK_ENV: dict[str, str | None] = {
    "INTERCOM_API_URL": "http://127.0.0.1:9",
    "INTERCOM_ACCESS_TOKEN": None,
}


def _case_params() -> Iterator[Any]:
    for name in CASES:
        xfail = INVALID / name / "xfail.txt"
        marks = []
        if xfail.exists():
            reason = xfail.read_text(encoding="utf-8").strip()
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        yield pytest.param(name, marks=marks, id=name)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _problem_lines(result: Result) -> list[str]:
    return [line for line in result.err.splitlines() if not SUMMARY.fullmatch(line)]


def problems(err: str) -> list[str]:
    """stderr without warnings (what Intercom may flatten, such as the example's table header
    rows): a valid tree may warn, and must not print anything else."""
    return [line for line in err.splitlines() if not WARNING.match(line)]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """validate is offline: any attempt to open a connection is recorded and refused."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network use in validate")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts
    assert attempts == [], f"validate tried to connect to {attempts}"


# ---- the malformed-file corpus -------------------------------------------------------------


def test_corpus_is_large_and_well_formed() -> None:
    assert len(CASES) >= 35
    for name in CASES:
        folder = INVALID / name
        expected = (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
        assert expected, f"{name}: expected.txt is empty"
        assert all(line and not SUMMARY.fullmatch(line) for line in expected), name
        assert (folder / "content").is_dir() or (folder / "contentsync.yaml").is_file(), name


@pytest.mark.parametrize("case", list(_case_params()))
def test_invalid_case(case: str, tmp_path: Path) -> None:
    project = tmp_path / case
    shutil.copytree(
        INVALID / case, project, ignore=shutil.ignore_patterns("expected.txt", "xfail.txt")
    )
    expected = (INVALID / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    before = _snapshot(project)

    started = time.perf_counter()
    result = run("validate", cwd=project, env=NO_NETWORK_ENV)
    elapsed = time.perf_counter() - started

    assert "Traceback" not in result.output
    assert result.out == "", "problems go to stderr, nothing to stdout"
    assert _problem_lines(result) == expected
    assert result.code == 1
    n = len(expected)
    assert result.err.splitlines()[-1] == f"{n} problem{'s' if n != 1 else ''} found."
    assert _snapshot(project) == before, "validate must not write anything"
    # Covers the alias bomb and the deep-nesting files: refused quickly, not expanded.
    assert elapsed < 2.0, f"validate took {elapsed:.2f}s"


def test_every_problem_in_every_file_at_once_in_a_stable_order(tmp_path: Path) -> None:
    case = "many-problems-three-files"
    shutil.copytree(INVALID / case, tmp_path / case)
    first = run("validate", cwd=tmp_path / case)
    second = run("validate", cwd=tmp_path / case)
    lines = _problem_lines(first)
    assert first.code == 1
    assert first.err == second.err
    files = {line.split(":", 1)[0] for line in lines}
    assert files == {
        "content/acme/_help_center.yaml",
        "content/acme/a/_collection.yaml",
        "content/acme/b/_collection.yaml",
        "content/acme/b/1-a/_collection.yaml",
        "content/acme/b/2-a/_collection.yaml",
        "content/acme/c/2-b/_collection.yaml",
        "content/acme/c/3-b/_collection.yaml",
    }
    assert len(lines) == 9
    assert first.err.splitlines()[-1] == "9 problems found."

    def key(line: str) -> tuple[str, int, int]:
        path, row, col = line.split(":", 3)[:3]
        return (path, int(row), int(col))

    assert lines == sorted(lines, key=key)


def test_problem_lines_read_like_a_compiler(tmp_path: Path) -> None:
    case = "unknown-locale"
    shutil.copytree(INVALID / case, tmp_path / case)
    result = run("validate", cwd=tmp_path / case)
    (line,) = _problem_lines(result)
    assert re.fullmatch(
        r"content/acme/c/_collection\.yaml:\d+:\d+: translations\.xx: unknown locale 'xx'", line
    )


def test_verbose_adds_no_traceback_for_user_errors(tmp_path: Path) -> None:
    shutil.copytree(INVALID / "dup-key-top-level", tmp_path / "p")
    result = run("-v", "validate", cwd=tmp_path / "p")
    assert result.code == 1
    assert "Traceback" not in result.output
    assert "duplicate key 'name'" in result.err


# ---- clean content ---------------------------------------------------------------------------


def _example_counts() -> tuple[int, int, int]:
    """Collections (at every depth), articles and translations in content/, counted
    independently of the loader (the example's default locale is en)."""
    collections = articles = translations = 0
    for file in sorted(EXAMPLE.rglob("_collection.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        collections += 1
        translations += len(data.get("translations") or {})
    for file in sorted(EXAMPLE.rglob("*.md")):
        if file.suffixes[-2:-1] and file.suffixes[-2][1:] in LOCALE_SET:
            translations += 1
        else:
            articles += 1
    return collections, articles, translations


def _expected_summary() -> str:
    collections, articles, translations = _example_counts()
    return (
        f"Valid: 1 help center(s), {collections} collection(s), {articles} article(s), "
        f"{translations} translation(s).\n"
    )


def test_example_content_validates_in_place() -> None:
    before = _snapshot(EXAMPLE)
    result = run("validate", cwd=REPO, env=NO_NETWORK_ENV)
    assert (result.code, problems(result.err)) == (0, [])
    assert result.out == _expected_summary()
    # 5 collections of 2 to 3 sections each: collections at every depth are counted
    top = [p for p in (EXAMPLE / "acme-help").iterdir() if (p / "_collection.yaml").is_file()]
    assert len(top) == 5
    assert result.out.startswith("Valid: 1 help center(s), 19 collection(s), ")
    assert _snapshot(EXAMPLE) == before


def test_validate_with_content_flag(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "elsewhere" / "docs")
    result = run("--content", "elsewhere/docs", "validate", cwd=tmp_path, env=NO_NETWORK_ENV)
    assert (result.code, problems(result.err), result.out) == (0, [], _expected_summary())


def test_content_flag_wins_over_config_file(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "good")
    shutil.copytree(INVALID / "missing-name" / "content", tmp_path / "bad")
    (tmp_path / "contentsync.yaml").write_text("content_dir: bad\n", encoding="utf-8")
    assert run("validate", cwd=tmp_path).code == 1
    result = run("--content", "good", "validate", cwd=tmp_path)
    assert (result.code, result.out) == (0, _expected_summary())


def test_validate_with_config_elsewhere(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(EXAMPLE, project / "site")
    (project / "conf").mkdir()
    config = project / "conf" / "contentsync.yaml"
    config.write_text("content_dir: ../site\nparallelism: 4\n", encoding="utf-8")
    work = tmp_path / "somewhere-else"
    work.mkdir()
    result = run("--config", str(config), "validate", cwd=work, env=NO_NETWORK_ENV)
    assert (result.code, problems(result.err), result.out) == (0, [], _expected_summary())


def test_config_elsewhere_with_problems_names_the_file_as_given(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "cs.yaml").write_text("parallelism: many\n", encoding="utf-8")
    result = run("--config", "conf/cs.yaml", "validate", cwd=tmp_path)
    assert result.code == 1
    assert _problem_lines(result) == [
        "conf/cs.yaml:1:14: parallelism: expected a whole number, got the text 'many'"
    ]


def test_missing_config_file_is_one_line_error(tmp_path: Path) -> None:
    result = run("--config", "nope.yaml", "validate", cwd=tmp_path)
    assert result.code == 1
    assert result.out == ""
    assert result.err == "error: nope.yaml: config file not found\n"


def test_missing_content_directory_is_a_one_line_error(tmp_path: Path) -> None:
    result = run("validate", cwd=tmp_path)
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("error: the content directory content does not exist. ")
    assert "`contentsync export`" in result.err
    assert "Traceback" not in result.output


def test_missing_content_flag_directory(tmp_path: Path) -> None:
    result = run("--content", "no/such/dir", "validate", cwd=tmp_path)
    assert result.code == 1
    assert result.err.startswith("error: the content directory no/such/dir does not exist. ")


def test_empty_content_directory_points_at_export(tmp_path: Path) -> None:
    """An empty content directory manages nothing (help centers without a folder are never
    touched), so it is a new project: say how to start one."""
    (tmp_path / "content").mkdir()
    result = run("validate", cwd=tmp_path)
    assert result.code == 1
    assert result.err.startswith("error: the content directory content is empty. ")
    assert "`contentsync export`" in result.err


def test_no_network_and_no_token_needed(tmp_path: Path, no_network: list[object]) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "content")
    for url in ("http://127.0.0.1:9", "https://api.intercom.io"):
        env = {"INTERCOM_API_URL": url, "INTERCOM_ACCESS_TOKEN": None}
        result = run("validate", cwd=tmp_path, env=env)
        assert (result.code, problems(result.err)) == (0, []), url
    result = run("--api-url", "http://192.0.2.1", "validate", cwd=tmp_path, env=NO_NETWORK_ENV)
    assert result.code == 0
    assert no_network == []


def test_errors_go_to_stderr_and_success_to_stdout(tmp_path: Path) -> None:
    shutil.copytree(INVALID / "unknown-field-typo", tmp_path / "bad")
    shutil.copytree(EXAMPLE, tmp_path / "good" / "content")
    bad = run("validate", cwd=tmp_path / "bad")
    good = run("validate", cwd=tmp_path / "good")
    assert (bad.code, bad.out) == (1, "")
    assert "descripton" in bad.err
    assert (good.code, problems(good.err)) == (0, [])
    assert good.out.count("\n") == 1, "a clean run prints one summary line"


def test_unknown_option_is_exit_1_without_traceback(tmp_path: Path) -> None:
    result = run("validate", "--bogus", cwd=tmp_path)
    assert result.code == 1
    assert "--bogus" in result.err
    assert "Traceback" not in result.output


def test_yml_suffix_and_hidden_files(tmp_path: Path) -> None:
    """A .md file is an article now, so the file that is neither content nor hidden is a .txt."""
    folder = tmp_path / "content" / "acme"
    (folder / "billing").mkdir(parents=True)
    (folder / "billing" / "_collection.yml").write_text("name: Billing\n", encoding="utf-8")
    (folder / ".draft.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    (folder / ".drafts").mkdir()
    (folder / ".drafts" / "_collection.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    (folder / "billing" / ".notes.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    (folder / "NOTES.txt").write_text("not content\n", encoding="utf-8")
    result = run("validate", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith("Valid: 1 help center(s), 1 collection(s), 0 article(s)")


def test_default_locale_fr_allows_an_en_translation(tmp_path: Path) -> None:
    tree = {"c": {"name": "Facturation", "translations": {"en": {"name": "Billing"}}}}
    write_help_center(tmp_path / "content", "acme", tree, {"default_locale": "fr"})
    result = run("validate", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert "1 translation(s)" in result.out


def test_pinned_duplicates_names_are_allowed(tmp_path: Path) -> None:
    tree = {
        "a": {"id": "1", "name": "Billing"},
        "b": {
            "id": 2,
            "name": "Billing",
            "children": {"x1": {"id": "3", "name": "X"}, "x2": {"id": "4", "name": "X"}},
        },
    }
    write_help_center(tmp_path / "content", "acme", tree)
    result = run("validate", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")


def test_merge_key_override_validates(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "acme" / "c"
    folder.mkdir(parents=True)
    (folder / "_collection.yaml").write_text(
        "name: Billing\ntranslations:\n"
        "  fr: &base {name: Facturation, description: Factures et paiements}\n"
        "  de:\n    <<: *base\n    name: Abrechnung\n",
        encoding="utf-8",
    )
    result = run("validate", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert "1 collection(s), 0 article(s), 2 translation(s)" in result.out
