"""Inside GitHub Actions, every located problem is also an `::error file=...,line=...::` line,
escaped as the runner unescapes it (actions/runner, ActionCommand.cs)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from contentsync.annotations import error_annotation, escape_data, escape_property
from contentsync.errors import Problem
from tests.clirun import run

_UNESCAPE = {"%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ",", "%25": "%"}


def _runner_unescape(text: str) -> str:
    return re.sub("%0D|%0A|%3A|%2C|%25", lambda m: _UNESCAPE[m.group(0)], text)


def test_escaping_follows_the_runner() -> None:
    assert escape_data("100% sure\r\nnext: a, b") == "100%25 sure%0D%0Anext: a, b"
    assert escape_property("dir/a,b: 100%.yaml") == "dir/a%2Cb%3A 100%25.yaml"
    problem = Problem("content/x, y.yaml", 3, 7, "name", "50% of\nit")
    assert error_annotation(problem) == (
        "::error file=content/x%2C y.yaml,line=3,col=7::name: 50%25 of%0Ait"
    )
    assert error_annotation(Problem("contentsync.yaml", 0, 0, "", "not found")) == (
        "::error file=contentsync.yaml::not found"
    )


@given(st.text())
def test_escaped_text_survives_the_runner(text: str) -> None:
    data, prop = escape_data(text), escape_property(text)
    assert _runner_unescape(data) == text
    assert _runner_unescape(prop) == text
    assert not set("\r\n") & set(data)
    assert not set("\r\n:,") & set(prop)


def test_validate_in_github_actions_annotates_every_problem(tmp_path: Path) -> None:
    config = tmp_path / "odd, name: 100%.yaml"
    config.write_text("content_dir: content\nno_such_key: 1\nparallelism: 0\n", encoding="utf-8")
    (tmp_path / "content").mkdir()
    outside = run("--config", config.name, "validate", cwd=tmp_path)
    inside = run("--config", config.name, "validate", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert outside.code == inside.code == 1
    assert "::" not in outside.err
    problems = [line for line in outside.err.splitlines() if line.startswith(config.name)]
    assert len(problems) == 2
    annotations = [line for line in inside.err.splitlines() if line.startswith("::error ")]
    assert len(annotations) == len(problems)
    assert inside.err.startswith(outside.err)  # the compiler-style lines stay as they were
    for line in annotations:
        match = re.fullmatch(r"::error file=([^,]*),line=(\d+),col=(\d+)::(.*)", line)
        assert match, line
        assert _runner_unescape(match.group(1)) == config.name
        where = f"{config.name}:{match.group(2)}:{match.group(3)}: "
        assert f"{where}{_runner_unescape(match.group(4))}" in problems
