"""The GitHub integration: workflows, the composite action and the comment they post.

actionlint lints every workflow (and, through `uses: ./`, reads action.yml: a broken action.yml
or a wrong input fails the lint). actionlint does not lint an action.yml on its own, so the
action is also checked here for structure, its shell scripts go through shellcheck, and its
steps are executed for real against the sandbox the way the runner would run them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
EXAMPLE = ROOT / "docs" / "examples" / "contentsync.yml"
ACTION = ROOT / "action.yml"
COMPOSE = ROOT / ".github" / "scripts" / "compose-comment.sh"
DOC = ROOT / "README.md"  # the GitHub section lives in the README
ALL_WORKFLOWS = [*WORKFLOWS, EXAMPLE]
STICKY = "marocchino/sticky-pull-request-comment"
COMMENT_LIMIT = 65_536


def _tool(name: str) -> str:
    """Path of a linter installed by scripts/install-actionlint; on CI its absence fails."""
    # The project's virtualenv first: a different actionlint elsewhere on PATH may disagree.
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found:
        return found
    why = f"{name} is not installed: run scripts/install-actionlint"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(why)
    pytest.skip(why)


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _on(workflow: dict[Any, Any]) -> dict[str, Any]:
    # PyYAML reads the bare key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    assert isinstance(on, dict)
    return on


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    steps = job["steps"]
    assert isinstance(steps, list)
    return steps


def _step(job: dict[str, Any], uses_prefix: str) -> dict[str, Any]:
    matches = [s for s in _steps(job) if str(s.get("uses", "")).startswith(uses_prefix)]
    assert len(matches) == 1, f"expected one step using {uses_prefix}"
    return matches[0]


def _named(job: dict[str, Any], name: str) -> dict[str, Any]:
    matches = [s for s in _steps(job) if s.get("name") == name]
    assert len(matches) == 1, f"expected one step named {name!r}"
    return matches[0]


# ---- actionlint ------------------------------------------------------------------------------


def _actionlint(*files: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    actionlint = _tool("actionlint")
    shellcheck = _tool("shellcheck")
    return subprocess.run(
        [actionlint, "-no-color", "-shellcheck", shellcheck, "-pyflakes", "", *map(str, files)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("path", ALL_WORKFLOWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_actionlint_is_clean(path: Path) -> None:
    result = _actionlint(path, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_files_exist() -> None:
    names = {p.name for p in WORKFLOWS}
    assert {"tests.yml", "content.yml"} <= names
    assert EXAMPLE.is_file()


def _scratch_repo(tmp_path: Path, action_text: str, with_block: str) -> Path:
    (tmp_path / ".git").mkdir()  # actionlint finds the project (and `./`) by its .git
    (tmp_path / "action.yml").write_text(action_text, encoding="utf-8")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "w.yml").write_text(
        "on: push\npermissions:\n  contents: read\njobs:\n  j:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v5\n      - uses: ./\n"
        f"        with:\n{with_block}",
        encoding="utf-8",
    )
    return workflows / "w.yml"


def test_actionlint_checks_workflow_inputs_against_action_yml(tmp_path: Path) -> None:
    # What makes `uses: ./` in content.yml a check of action.yml: a wrong input is caught...
    text = ACTION.read_text(encoding="utf-8")
    wf = _scratch_repo(tmp_path, text, "          command: plan\n          contnet-dir: x\n")
    result = _actionlint(wf, cwd=tmp_path)
    assert result.returncode == 1
    assert "contnet-dir" in result.stdout


def test_actionlint_reports_a_broken_action_yml(tmp_path: Path) -> None:
    # ...and so is an action.yml that is not valid YAML (the mistake this test was written for:
    # an unquoted "description: a: b").
    broken = ACTION.read_text(encoding="utf-8").replace(
        "description: Python to set up", "description: Python: to set up", 1
    )
    assert broken != ACTION.read_text(encoding="utf-8")
    wf = _scratch_repo(tmp_path, broken, "          command: plan\n")
    result = _actionlint(wf, cwd=tmp_path)
    assert result.returncode == 1
    assert "action metadata" in result.stdout


# ---- action.yml ------------------------------------------------------------------------------


def test_action_is_composite_with_documented_inputs() -> None:
    action = _load(ACTION)
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert {"command", "content-dir", "token"} <= set(inputs)
    for name, spec in inputs.items():
        assert spec.get("description"), f"input {name} has no description"
    assert inputs["token"].get("required") is False
    assert inputs["command"]["default"] == "plan"
    for name, spec in action["outputs"].items():
        assert spec.get("description"), f"output {name} has no description"
        assert re.fullmatch(r"\$\{\{ steps\.run\.outputs\.[a-z-]+ \}\}", spec["value"])


def test_action_steps_use_inputs_safely() -> None:
    action = _load(ACTION)
    declared = set(action["inputs"])
    text = ACTION.read_text(encoding="utf-8")
    used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", text))
    assert used <= declared, f"undeclared inputs: {used - declared}"
    assert declared <= used, f"inputs never used: {declared - used}"
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step.get("shell") == "bash"
            # Expressions pasted into a script are a script injection; env only.
            assert "${{" not in step["run"], step.get("name")
    run_step = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
    assert run_step["env"]["INTERCOM_ACCESS_TOKEN"] == "${{ inputs.token }}"


def _scripts_of(path: Path) -> list[tuple[str, str]]:
    data = _load(path)
    if "runs" in data:
        steps = data["runs"]["steps"]
    else:
        steps = [s for job in data["jobs"].values() for s in job.get("steps", [])]
    return [(str(s.get("name", s.get("id", "?"))), s["run"]) for s in steps if "run" in s]


def _shellcheck(script: str, tmp_path: Path, name: str) -> subprocess.CompletedProcess[str]:
    # The runner replaces ${{ }} before bash sees the script; a plain word stands in for it.
    body = re.sub(r"\$\{\{.*?\}\}", "EXPR", script)
    file = tmp_path / (re.sub(r"\W+", "_", name) + ".sh")
    file.write_text("#!/usr/bin/env bash\n" + body, encoding="utf-8")
    return subprocess.run(
        [_tool("shellcheck"), "--shell=bash", str(file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_action_scripts_pass_shellcheck(tmp_path: Path) -> None:
    scripts = _scripts_of(ACTION)
    assert len(scripts) >= 2
    for name, script in scripts:
        result = _shellcheck(script, tmp_path, name)
        assert result.returncode == 0, f"{name}:\n{result.stdout}"


def test_shellcheck_is_really_checking(tmp_path: Path) -> None:
    result = _shellcheck('rm -rf $1/"x"\n', tmp_path, "bad")
    assert result.returncode != 0
    assert "SC2086" in result.stdout


def test_compose_script_passes_shellcheck() -> None:
    result = subprocess.run(
        [_tool("shellcheck"), str(COMPOSE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


# ---- the action, executed ----------------------------------------------------------------------


def _expr(value: str, inputs: dict[str, str], env: dict[str, str]) -> str:
    def sub(match: re.Match[str]) -> str:
        expr = match.group(1).strip()
        if expr.startswith("inputs."):
            return inputs[expr.removeprefix("inputs.")]
        if expr == "github.action_path":
            return env["GITHUB_ACTION_PATH"]
        raise AssertionError(f"this test does not evaluate {expr}")

    return re.sub(r"\$\{\{(.*?)\}\}", sub, value)


def _run_action(
    workdir: Path, tmp_path: Path, **given: str
) -> tuple[int, dict[str, str], subprocess.CompletedProcess[str]]:
    """Run action.yml's `run` step with bash as the runner would; returns (rc, outputs, proc).

    Setting up Python and installing are the runner's business; contentsync comes from this
    virtualenv instead.
    """
    action = _load(ACTION)
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(given) - set(inputs)
    assert not unknown
    inputs.update(given)
    temp = tmp_path / "runner-temp"
    temp.mkdir(exist_ok=True)
    output_file = temp / "output"
    output_file.write_text("", encoding="utf-8")
    base = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "RUNNER_TEMP": str(temp),
        "GITHUB_OUTPUT": str(output_file),
        "GITHUB_STEP_SUMMARY": str(temp / "summary.md"),
        "GITHUB_ACTION_PATH": str(ROOT),
    }
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
    env = {**base, **{k: _expr(str(v), inputs, base) for k, v in step["env"].items()}}
    script = temp / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    proc = subprocess.run(
        # How the runner starts `shell: bash`.
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    outputs = dict(
        line.split("=", 1) for line in output_file.read_text(encoding="utf-8").splitlines()
    )
    return proc.returncode, outputs, proc


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    work = tmp_path / "repo"
    shutil.copytree(ROOT / "content", work / "content")
    return work


def test_action_plan_apply_plan_against_the_sandbox(workdir: Path, tmp_path: Path) -> None:
    rc, out, proc = _run_action(workdir, tmp_path, command="validate")
    assert rc == 0, proc.stdout + proc.stderr
    assert out["exit-code"] == "0"
    assert "Valid:" in Path(out["log"]).read_text(encoding="utf-8")

    (workdir / "content").rename(workdir / "help")
    rc, out, proc = _run_action(workdir, tmp_path, command="validate", **{"content-dir": "help"})
    assert rc == 0, proc.stdout + proc.stderr
    (workdir / "contentsync.yaml").write_text("content_dir: help\n", encoding="utf-8")
    rc, out, proc = _run_action(workdir, tmp_path, command="validate")  # from the config
    assert rc == 0, proc.stdout + proc.stderr

    rc, out, proc = _run_action(workdir, tmp_path, command="plan", sandbox="true")
    assert rc == 0, proc.stdout + proc.stderr
    assert out["exit-code"] == "2"
    assert out["changes"] == "true"
    markdown = Path(out["markdown"]).read_text(encoding="utf-8")
    assert "Billing and plans" in markdown
    assert len(markdown) <= 60_000
    assert Path(out["plan-file"]).is_file()
    summary = Path(tmp_path / "runner-temp" / "summary.md").read_text(encoding="utf-8")
    assert "Billing and plans" in summary

    rc, out, proc = _run_action(workdir, tmp_path, command="apply", sandbox="true")
    assert rc == 0, proc.stdout + proc.stderr
    assert out["exit-code"] == "0"

    rc, out, proc = _run_action(workdir, tmp_path, command="plan", sandbox="true")
    assert rc == 0, proc.stdout + proc.stderr
    assert out["changes"] == "false"
    assert "No changes" in Path(out["markdown"]).read_text(encoding="utf-8")


def test_action_plan_cuts_markdown_to_max_chars(workdir: Path, tmp_path: Path) -> None:
    rc, out, proc = _run_action(
        workdir, tmp_path, command="plan", sandbox="true", **{"max-chars": "1000"}
    )
    assert rc == 0, proc.stdout + proc.stderr
    markdown = Path(out["markdown"]).read_text(encoding="utf-8")
    assert len(markdown.rstrip("\n")) <= 1000
    full = Path(tmp_path / "runner-temp" / "summary.md").read_text(encoding="utf-8")
    assert len(full) > 1000  # the job summary keeps the whole plan


def test_action_validate_fails_the_step_with_the_problems(workdir: Path, tmp_path: Path) -> None:
    bad = workdir / "content" / "acme-help" / "broken" / "_collection.yaml"
    bad.parent.mkdir()
    bad.write_text("name: Broken\ntranslations:\n  xx:\n    name: X\n", encoding="utf-8")
    rc, out, proc = _run_action(workdir, tmp_path, command="validate")
    assert rc == 1
    assert out["exit-code"] == "1"
    log = Path(out["log"]).read_text(encoding="utf-8")
    assert log == proc.stdout  # shown in the step's log and kept for the comment
    assert "content/acme-help/broken/_collection.yaml:3:3: translations.xx: unknown locale" in log


def test_action_plan_without_token_fails_without_changes_output(
    workdir: Path, tmp_path: Path
) -> None:
    rc, out, proc = _run_action(workdir, tmp_path, command="plan", token="")
    assert rc == 1
    assert out["exit-code"] == "1"
    assert "INTERCOM_ACCESS_TOKEN is not set" in proc.stderr
    assert "INTERCOM_ACCESS_TOKEN is not set" in Path(out["log"]).read_text(encoding="utf-8")
    assert "changes" not in out
    assert "markdown" not in out


def test_action_refuses_an_unknown_command(workdir: Path, tmp_path: Path) -> None:
    rc, out, proc = _run_action(workdir, tmp_path, command="destroy")
    assert rc == 1
    assert out["exit-code"] == "1"
    assert "must be validate, plan or apply" in proc.stdout


def test_action_never_runs_shell_from_inputs(workdir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    rc, out, proc = _run_action(
        workdir, tmp_path, command="validate", **{"content-dir": f"content; touch {marker}"}
    )
    assert rc == 1
    assert out["exit-code"] == "1"
    assert "content; touch" in proc.stdout  # one directory name, not a command
    assert not marker.exists()


# ---- the comment ---------------------------------------------------------------------------


def _compose(tmp_path: Path, **env: str) -> tuple[str, str]:
    summary = tmp_path / "summary.md"
    summary.write_text("", encoding="utf-8")
    base = {
        "PATH": os.environ["PATH"],
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUN_URL": "https://github.example/run/1",
        "HEAD_SHA": "0123456789abcdef0123",
    }
    proc = subprocess.run(
        ["bash", str(COMPOSE)],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return proc.stdout, summary.read_text(encoding="utf-8")


def test_comment_for_a_fork_says_why_there_is_no_plan(tmp_path: Path) -> None:
    comment, summary = _compose(
        tmp_path, IS_FORK="true", HAS_TOKEN="false", VALIDATE_OUTCOME="success", PLAN_OUTCOME=""
    )
    assert "fork" in comment
    assert "no secrets" in comment
    assert "There is no plan" in comment
    assert "There is no plan" in summary  # the fork's comment may be refused: summary has it


def test_comment_with_the_plan_and_the_sandbox_note(tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text("**Plan:** 3 to create\n\n| a | b |\n", encoding="utf-8")
    args = {"IS_FORK": "false", "VALIDATE_OUTCOME": "success", "PLAN_OUTCOME": "success"}
    comment, summary = _compose(tmp_path, HAS_TOKEN="false", PLAN_MARKDOWN=str(plan), **args)
    assert "**Plan:** 3 to create" in comment
    assert "embedded sandbox" in comment
    assert "embedded sandbox" in summary
    assert "3 to create" not in summary  # contentsync wrote the plan to the summary itself
    comment, summary = _compose(tmp_path, HAS_TOKEN="true", PLAN_MARKDOWN=str(plan), **args)
    assert summary == ""
    assert "sandbox" not in comment
    assert comment.startswith("**Plan:** 3 to create")  # the plan brings its own heading


def test_comment_says_no_changes(workdir: Path, tmp_path: Path) -> None:
    assert _run_action(workdir, tmp_path, command="apply", sandbox="true")[0] == 0
    rc, out, _ = _run_action(workdir, tmp_path, command="plan", sandbox="true")
    assert rc == 0
    comment, _ = _compose(
        tmp_path,
        IS_FORK="false",
        HAS_TOKEN="true",
        VALIDATE_OUTCOME="success",
        PLAN_OUTCOME="success",
        PLAN_MARKDOWN=out["markdown"],
    )
    assert "No changes." in comment
    assert comment.startswith("## contentsync plan\n")
    assert comment.count("## contentsync plan") == 1


def test_comment_for_invalid_content_fits_a_comment(tmp_path: Path) -> None:
    log = tmp_path / "validate.log"
    log.write_text("content/a/b.yaml:1:1: name: required\n" * 5000, encoding="utf-8")
    comment, summary = _compose(
        tmp_path,
        IS_FORK="false",
        HAS_TOKEN="true",
        VALIDATE_OUTCOME="failure",
        VALIDATE_LOG=str(log),
        PLAN_OUTCOME="skipped",
    )
    assert "Validation failed" in comment
    assert "content/a/b.yaml:1:1: name: required" in comment
    assert "cut" in comment
    assert len(comment) < COMMENT_LIMIT
    assert "Validation failed" in summary


def test_comment_with_the_largest_plan_fits(tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text("x" * 60_000, encoding="utf-8")
    comment, _ = _compose(
        tmp_path,
        IS_FORK="false",
        HAS_TOKEN="false",
        VALIDATE_OUTCOME="success",
        PLAN_OUTCOME="success",
        PLAN_MARKDOWN=str(plan),
    )
    assert len(comment) < COMMENT_LIMIT


# ---- what the workflows say ------------------------------------------------------------------


@pytest.mark.parametrize("path", [*ALL_WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_actions_are_pinned_to_a_major_version(path: Path) -> None:
    uses = re.findall(r"^\s*(?:- )?uses:\s*([^\s#]+)", path.read_text(encoding="utf-8"), re.M)
    assert uses
    for ref in uses:
        assert ref == "./" or re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", ref), ref


@pytest.mark.parametrize("path", ALL_WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_minimal(path: Path) -> None:
    workflow = _load(path)
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        perms = job.get("permissions", {"contents": "read"})
        comments = any(str(s.get("uses", "")).startswith(STICKY) for s in job.get("steps", []))
        expected = {"contents": "read", "pull-requests": "write"} if comments else None
        if expected:
            assert perms == expected, name
        else:
            assert perms == {"contents": "read"}, name


@pytest.mark.parametrize("path", [WORKFLOWS[0].parent / "content.yml", EXAMPLE], ids=str)
def test_content_workflow(path: Path) -> None:
    workflow = _load(path)
    on = _on(workflow)
    assert {"content/**", "schemas/**"} <= set(on["pull_request"]["paths"])
    assert on["push"]["branches"] == ["main"]
    assert "content/**" in on["push"]["paths"]

    plan, apply = workflow["jobs"]["plan"], workflow["jobs"]["apply"]
    assert "pull_request" in plan["if"]
    assert "push" in apply["if"]

    # Apply: one at a time, never cancelled mid-run.
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert apply["concurrency"]["group"]
    assert "${{" not in apply["concurrency"]["group"]  # one group for every apply
    applies = [s for s in _steps(apply) if s.get("with", {}).get("command") == "apply"]
    assert len(applies) == 1
    assert applies[0]["with"]["token"] == "${{ secrets.INTERCOM_ACCESS_TOKEN }}"
    assert "pull-requests" not in apply["permissions"]

    # Forks: detected, no plan, the comment may fail without failing the job.
    fork = plan["env"]["IS_FORK"]
    assert fork == "${{ github.event.pull_request.head.repo.full_name != github.repository }}"
    plan_step = _named(plan, "Plan")
    assert "env.IS_FORK == 'false'" in plan_step["if"]
    assert plan_step["with"]["command"] == "plan"
    assert plan_step["with"]["token"] == "${{ secrets.INTERCOM_ACCESS_TOKEN }}"

    sticky = _step(plan, STICKY)
    assert re.fullmatch(rf"{STICKY}@v\d+", sticky["uses"])
    assert sticky["with"]["header"] == "contentsync-plan"
    assert sticky["continue-on-error"] == "${{ env.IS_FORK == 'true' }}"
    assert sticky["if"] == "${{ !cancelled() }}"  # a failed validate still gets its comment


def test_repository_content_workflow_falls_back_to_the_sandbox() -> None:
    workflow = _load(WORKFLOWS[0].parent / "content.yml")
    for job in ("plan", "apply"):
        assert workflow["jobs"][job]["env"]["HAS_TOKEN"] == (
            "${{ secrets.INTERCOM_ACCESS_TOKEN != '' }}"
        )
    assert _named(workflow["jobs"]["plan"], "Plan")["with"]["sandbox"] == (
        "${{ env.HAS_TOKEN == 'false' }}"
    )
    assert _named(workflow["jobs"]["apply"], "Apply")["with"]["sandbox"] == (
        "${{ env.HAS_TOKEN == 'false' }}"
    )
    assert _named(workflow["jobs"]["plan"], "Plan")["uses"] == "./"


def test_example_has_no_sandbox() -> None:
    assert "sandbox" not in EXAMPLE.read_text(encoding="utf-8")


def test_tests_workflow_runs_ci_run() -> None:
    workflow = _load(WORKFLOWS[0].parent / "tests.yml")
    on = _on(workflow)
    assert "push" in on
    assert "pull_request" in on
    runs = [s["run"] for job in workflow["jobs"].values() for s in _steps(job) if "run" in s]
    assert runs == ["bash .ci/run"]


# ---- the documentation ---------------------------------------------------------------------


def test_doc_carries_the_example_verbatim() -> None:
    doc = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", doc, flags=re.S)
    assert EXAMPLE.read_text(encoding="utf-8") in blocks


def test_doc_lists_every_input_and_output() -> None:
    doc = DOC.read_text(encoding="utf-8")
    action = _load(ACTION)
    for name in [*action["inputs"], *action["outputs"]]:
        assert f"`{name}`" in doc, name
