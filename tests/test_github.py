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

from tests.fake_github import FakeGitHub, running_fake_github
from tests.test_status import Repo

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW_DIR = ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.yml"))
CONTENT = WORKFLOW_DIR / "content.yml"  # the workflow the README shows users
ACTION = ROOT / "action.yml"
COMPOSE = ROOT / ".github" / "scripts" / "compose-comment.sh"
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "github.md"
ALL_WORKFLOWS = WORKFLOWS
USES_HERE, USES_THERE = "uses: ./", "uses: OWNER/contentsync@v1"
FALLBACK = "# sandbox fallback"
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
    assert names == {"tests.yml", "content.yml", "release.yml"}


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
        "description: Intercom API base URL", "description: Intercom API: base URL", 1
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


def _expr(value: str, inputs: dict[str, str], context: dict[str, str]) -> str:
    def sub(match: re.Match[str]) -> str:
        expr = match.group(1).strip()
        if expr.startswith("inputs."):
            return _expr(inputs[expr.removeprefix("inputs.")], inputs, context)
        if expr in context:
            return context[expr]
        raise AssertionError(f"this test does not evaluate {expr}")

    return re.sub(r"\$\{\{(.*?)\}\}", sub, value)


# What the runner would make of the expressions the action's run step uses, on a pull request
# from the repository itself.
GITHUB_CONTEXT = {
    "github.token": "ghs_fake_token_1234567890",
    "github.event.pull_request.head.repo.full_name != github.repository": "false",
    "github.event.pull_request.head.sha": "0123456789abcdef0123",
    "github.event.pull_request.base.sha": "",  # a test of `status` names a commit of its own
    # contentsync comes from this virtualenv: installing it is the install step's business.
    "steps.install.outputs.contentsync": str(Path(sys.executable).parent / "contentsync"),
}


def _run_action(
    workdir: Path,
    tmp_path: Path,
    env: dict[str, str] | None = None,
    context: dict[str, str] | None = None,
    **given: str,
) -> tuple[int, dict[str, str], subprocess.CompletedProcess[str]]:
    """Run action.yml's `run` step with bash as the runner would; returns (rc, outputs, proc).
    `env` adds to the job's environment (GITHUB_* variables), `context` to GITHUB_CONTEXT."""
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
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "RUNNER_TEMP": str(temp),
        "GITHUB_OUTPUT": str(output_file),
        "GITHUB_STEP_SUMMARY": str(temp / "summary.md"),
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_REPOSITORY": "acme/help",
        "GITHUB_RUN_ID": "42",
        **(env or {}),
    }
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
    known = {**GITHUB_CONTEXT, **(context or {})}
    step_env = {k: _expr(str(v), inputs, known) for k, v in step["env"].items()}
    script = temp / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    proc = subprocess.run(
        # How the runner starts `shell: bash`.
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workdir,
        env={**base, **step_env},
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
    assert "must be validate, plan, apply, apply-reviewed, drift, status or comment" in proc.stdout


def test_action_never_runs_shell_from_inputs(workdir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    rc, out, proc = _run_action(
        workdir, tmp_path, command="validate", **{"content-dir": f"content; touch {marker}"}
    )
    assert rc == 1
    assert out["exit-code"] == "1"
    assert "content; touch" in proc.stdout  # one directory name, not a command
    assert not marker.exists()


def _install_step(tmp_path: Path, python: str) -> subprocess.CompletedProcess[str]:
    action = _load(ACTION)
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "install")
    temp = tmp_path / "runner-temp"
    temp.mkdir(exist_ok=True)
    for name in ("output", "path"):
        (temp / name).write_text("", encoding="utf-8")
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        env={
            "PATH": os.environ["PATH"],
            "RUNNER_TEMP": str(temp),
            "GITHUB_OUTPUT": str(temp / "output"),
            "GITHUB_PATH": str(temp / "path"),
            "GITHUB_ACTION_PATH": str(ROOT),
            "CS_PYTHON": python,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_action_leaves_the_jobs_python_and_path_alone(tmp_path: Path) -> None:
    text = ACTION.read_text(encoding="utf-8")
    assert "setup-python" not in text
    assert "GITHUB_PATH" not in text
    assert "GITHUB_ENV" not in text
    # An old python is refused with a sentence, before anything is made.
    old = tmp_path / "python3.10"
    old.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    old.chmod(0o755)
    proc = _install_step(tmp_path, str(old))
    assert proc.returncode == 1
    assert "::error::contentsync needs Python 3.11 or newer" in proc.stdout
    assert not (tmp_path / "runner-temp" / "contentsync-venv").exists()
    # A second use in the same job reuses the virtualenv and says where contentsync is.
    bin_dir = tmp_path / "runner-temp" / "contentsync-venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "contentsync").symlink_to(Path(sys.executable).parent / "contentsync")
    proc = _install_step(tmp_path, str(old))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    output = (tmp_path / "runner-temp" / "output").read_text(encoding="utf-8")
    assert output == f"contentsync={bin_dir / 'contentsync'}\n"
    assert (tmp_path / "runner-temp" / "path").read_text(encoding="utf-8") == ""


def test_action_apply_with_a_plan_file_and_api_version(workdir: Path, tmp_path: Path) -> None:
    rc, out, proc = _run_action(workdir, tmp_path, command="plan", sandbox="true")
    assert rc == 0, proc.stdout + proc.stderr
    rc, out, proc = _run_action(
        workdir, tmp_path, command="apply", sandbox="true", **{"plan-file": out["plan-file"]}
    )
    assert rc == 0, proc.stdout + proc.stderr
    assert "done: create" in proc.stdout
    rc, out, proc = _run_action(
        workdir, tmp_path, command="plan", sandbox="true", **{"api-version": "1.0"}
    )
    assert rc == 1
    assert "INTERCOM_API_VERSION '1.0' is not one of" in proc.stderr


def _job_env(fake: FakeGitHub) -> dict[str, str]:
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": fake.url,
        "GITHUB_SHA": "a" * 40,
        "GITHUB_WORKFLOW_REF": "acme/help/.github/workflows/content.yml@refs/heads/main",
    }


def test_action_apply_reviewed_applies_the_pull_requests_plan(
    workdir: Path, tmp_path: Path
) -> None:
    rc, out, proc = _run_action(workdir, tmp_path, command="plan", sandbox="true")
    assert rc == 0, proc.stdout + proc.stderr
    with running_fake_github() as fake:
        fake.merged_pull(7, "a" * 40, "b" * 40)
        fake.artifact(fake.run("b" * 40), {"p.json": Path(out["plan-file"]).read_text("utf-8")})
        rc, out, proc = _run_action(
            workdir, tmp_path, _job_env(fake), command="apply-reviewed", sandbox="true"
        )
    assert rc == 0, proc.stdout + proc.stderr
    assert "Applying the plan reviewed in https://github.example/acme/help/pull/7" in proc.stdout
    assert fake.comments == []
    rc, out, proc = _run_action(workdir, tmp_path, command="plan", sandbox="true")
    assert out["changes"] == "false"


def test_action_apply_reviewed_without_a_plan_fails_and_says_so(
    workdir: Path, tmp_path: Path
) -> None:
    with running_fake_github() as fake:
        rc, out, _ = _run_action(
            workdir, tmp_path, _job_env(fake), command="apply-reviewed", sandbox="true"
        )
    assert rc == 1
    assert out["exit-code"] == "1"
    assert "direct push" in Path(out["log"]).read_text(encoding="utf-8")
    summary = (tmp_path / "runner-temp" / "summary.md").read_text(encoding="utf-8")
    assert "nothing was applied" in summary


def test_action_drift_opens_the_issue_with_the_plan(workdir: Path, tmp_path: Path) -> None:
    with running_fake_github() as fake:
        rc, out, proc = _run_action(
            workdir, tmp_path, _job_env(fake), command="drift", sandbox="true"
        )
        assert rc == 0, proc.stdout + proc.stderr
        assert out["changes"] == "true"
        [issue] = fake.issues.values()
        assert issue["labels"] == ["contentsync-drift"]
        assert Path(out["markdown"]).read_text(encoding="utf-8").strip() in issue["body"]
        _run_action(workdir, tmp_path, command="apply", sandbox="true")
        rc, out, proc = _run_action(
            workdir, tmp_path, _job_env(fake), command="drift", sandbox="true"
        )
        assert rc == 0, proc.stdout + proc.stderr
        assert out["changes"] == "false"
        assert issue["state"] == "closed"
        assert "Drift issue #1 closed." in proc.stdout


def test_action_comment_is_composed_from_the_jobs_validate_and_plan(
    workdir: Path, tmp_path: Path
) -> None:
    assert _run_action(workdir, tmp_path, command="validate")[0] == 0
    assert _run_action(workdir, tmp_path, command="plan", sandbox="true")[0] == 0
    rc, out, proc = _run_action(workdir, tmp_path, command="comment")
    assert rc == 0, proc.stdout + proc.stderr
    comment = Path(out["comment"]).read_text(encoding="utf-8")
    assert comment.startswith("## contentsync plan\n")
    assert "embedded sandbox" in comment
    assert "Commit 0123456789ab" in comment
    assert "https://github.example/acme/help/actions/runs/42" in comment


def test_action_status_and_the_comment_say_what_the_pull_request_does_to_translations(
    workdir: Path, tmp_path: Path
) -> None:
    repo = Repo(workdir)
    base = repo.commit("the help center")
    refund = workdir / "content/acme-help/3-billing/3-refunds/request-a-refund.md"
    refund.write_text(refund.read_text(encoding="utf-8").replace("5 business", "3 business"))
    repo.commit("refunds are faster")
    pull_request = {"github.event.pull_request.base.sha": base}

    rc, out, proc = _run_action(workdir, tmp_path, context=pull_request, command="status")
    assert rc == 0, proc.stdout + proc.stderr
    status = Path(out["markdown"]).read_text(encoding="utf-8")
    assert "This changes the English text of 1 article" in status
    assert status in (tmp_path / "runner-temp" / "summary.md").read_text(encoding="utf-8")

    assert _run_action(workdir, tmp_path, command="validate")[0] == 0
    assert _run_action(workdir, tmp_path, command="plan", sandbox="true")[0] == 0
    rc, out, proc = _run_action(workdir, tmp_path, command="comment")
    assert rc == 0, proc.stdout + proc.stderr
    comment = Path(out["comment"]).read_text(encoding="utf-8")
    plan_at, status_at = comment.index("## contentsync plan"), comment.index(status.strip())
    assert plan_at < status_at < comment.index("<sub>Commit")


def test_a_long_translation_status_keeps_its_sentences_in_the_comment(tmp_path: Path) -> None:
    status = tmp_path / "status.md"
    rows = "".join(f"| article | content/x/a-{i}.md | fr, de |\n" for i in range(400))
    sentences = "This changes the English text of 400 articles: fr and de now lag."
    status.write_text(f"## Translation status\n\n{sentences}\n\n| kind | file | lag |\n{rows}")
    plan = tmp_path / "plan.md"
    plan.write_text("## contentsync plan\n\n**Plan:** 3 to create\n", encoding="utf-8")
    comment, _ = _compose(
        tmp_path, IS_FORK="false", HAS_TOKEN="true", VALIDATE_OUTCOME="success",
        PLAN_OUTCOME="success", PLAN_MARKDOWN=str(plan),
        STATUS_OUTCOME="success", STATUS_MARKDOWN=str(status),
    )  # fmt: skip
    assert sentences in comment
    assert "a-0.md" not in comment  # the table is in the job summary
    assert "is in the job summary" in comment
    assert len(comment) < 5000


def test_action_comment_for_invalid_content_shows_problems_not_annotations(
    workdir: Path, tmp_path: Path
) -> None:
    bad = workdir / "contentsync.yaml"
    bad.write_text("no_such_key: 1\n", encoding="utf-8")
    rc, out, proc = _run_action(workdir, tmp_path, {"GITHUB_ACTIONS": "true"}, command="validate")
    assert rc == 1
    assert "::error file=contentsync.yaml" in proc.stdout  # the diff gets the annotation
    rc, out, proc = _run_action(workdir, tmp_path, command="comment")
    assert rc == 0, proc.stdout + proc.stderr
    comment = Path(out["comment"]).read_text(encoding="utf-8")
    assert "**Validation failed**" in comment
    assert "contentsync.yaml:1:1" in comment
    assert "::error" not in comment


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
    assert uses or path == ACTION
    for ref in uses:
        # pypa/gh-action-pypi-publish publishes its major version as the branch release/v1.
        assert ref == "./" or re.fullmatch(r"[\w.-]+/[\w.-]+@(release/)?v\d+", ref), ref


# Every job's permissions, and why: the least each needs.
PERMISSIONS = {
    ("content.yml", "plan"): {"contents": "read", "pull-requests": "write"},
    ("content.yml", "apply"): {"contents": "read", "actions": "read", "pull-requests": "write"},
    ("content.yml", "drift"): {"contents": "read", "issues": "write"},
    ("tests.yml", "test"): None,  # the workflow's contents: read
    ("release.yml", "build"): None,
    ("release.yml", "publish"): {"id-token": "write"},
}


@pytest.mark.parametrize("path", ALL_WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_minimal(path: Path) -> None:
    workflow = _load(path)
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        assert job.get("permissions") == PERMISSIONS[(path.name, name)], name
        assert job.get("timeout-minutes"), name


def _content() -> dict[str, Any]:
    return _load(CONTENT)


def test_pull_requests_validate_plan_comment_and_keep_the_plan_file() -> None:
    workflow = _content()
    on = _on(workflow)
    assert {"content/**", "schemas/**", "contentsync.yaml"} <= set(on["pull_request"]["paths"])
    plan = workflow["jobs"]["plan"]
    assert plan["if"] == "github.event_name == 'pull_request'"
    assert plan["steps"][0]["with"]["fetch-depth"] == 0  # translation status reads history

    # Forks: detected, validated, never planned; the comment may fail without failing the job.
    fork = plan["env"]["IS_FORK"]
    assert fork == "${{ github.event.pull_request.head.repo.full_name != github.repository }}"
    plan_step = _named(plan, "Plan")
    assert plan_step["if"] == "steps.validate.outcome == 'success' && env.IS_FORK == 'false'"
    assert plan_step["with"]["command"] == "plan"
    assert plan_step["with"]["token"] == "${{ secrets.INTERCOM_ACCESS_TOKEN }}"
    assert _named(plan, "Validate")["with"]["command"] == "validate"

    status = _named(plan, "Translation status")
    assert status["with"] == {"command": "status"}
    assert status["if"] == "${{ !cancelled() }}"  # offline: forks and failed plans get it too
    names = [step.get("name") for step in plan["steps"]]
    assert names.index("Translation status") < names.index("Compose the comment")

    compose = _named(plan, "Compose the comment")
    assert compose["with"] == {"command": "comment"}
    assert compose["if"] == "${{ !cancelled() }}"  # a failed validate still gets its comment
    sticky = _step(plan, STICKY)
    assert sticky["with"]["header"] == "contentsync-plan"
    assert sticky["with"]["path"] == "${{ steps.comment.outputs.comment }}"
    assert sticky["continue-on-error"] == "${{ env.IS_FORK == 'true' }}"

    keep = _step(plan, "actions/upload-artifact")
    assert keep["with"]["name"] == "contentsync-plan"  # what apply-reviewed looks for
    assert keep["with"]["path"] == "${{ steps.plan.outputs.plan-file }}"


def test_merge_applies_the_reviewed_plan_and_a_manual_run_applies_fresh() -> None:
    workflow = _content()
    on = _on(workflow)
    assert on["push"]["branches"] == ["main"]
    assert "content/**" in on["push"]["paths"]
    mass = on["workflow_dispatch"]["inputs"]["allow_mass_delete"]
    assert (mass["type"], mass["default"]) == ("boolean", False)

    apply = workflow["jobs"]["apply"]
    assert "push" in apply["if"]
    assert "workflow_dispatch" in apply["if"]
    assert apply["steps"][0]["with"]["ref"] == "main"
    # One at a time, never cancelled mid-run.
    assert apply["concurrency"] == {"group": "contentsync-apply", "cancel-in-progress": False}
    [step] = [s for s in _steps(apply) if "apply" in s.get("with", {}).get("command", "")]
    command = " ".join(step["with"]["command"].split())
    assert command == (
        "${{ (github.event_name == 'workflow_dispatch' || vars.CONTENTSYNC_APPLY == 'fresh') "
        "&& 'apply' || 'apply-reviewed' }}"
    )
    assert step["with"]["token"] == "${{ secrets.INTERCOM_ACCESS_TOKEN }}"
    assert step["with"]["allow-mass-delete"] == "${{ inputs.allow_mass_delete == true }}"


def test_a_daily_run_keeps_the_drift_issue() -> None:
    workflow = _content()
    assert _on(workflow)["schedule"]
    drift = workflow["jobs"]["drift"]
    assert drift["if"] == "github.event_name == 'schedule'"
    step = _named(drift, "Drift")
    assert step["with"]["command"] == "drift"
    assert step["with"]["token"] == "${{ secrets.INTERCOM_ACCESS_TOKEN }}"


def test_this_repository_falls_back_to_the_sandbox_and_says_which_lines() -> None:
    text = CONTENT.read_text(encoding="utf-8")
    workflow = _content()
    for job in ("plan", "apply"):
        [step] = [s for s in _steps(workflow["jobs"][job]) if "sandbox" in s.get("with", {})]
        assert step["with"]["sandbox"] == "${{ secrets.INTERCOM_ACCESS_TOKEN == '' }}"
        assert step["uses"] == "./"
    # A fresh sandbox always differs from main: no drift issue without a real workspace.
    assert _named(workflow["jobs"]["drift"], "Drift")["if"] == "env.HAS_TOKEN == 'true'"
    for line in text.splitlines():
        if "sandbox" in line.lower() or "HAS_TOKEN" in line:
            assert line.endswith(FALLBACK) or FALLBACK + ":" in line, line


def test_release_publishes_on_a_version_tag_with_trusted_publishing() -> None:
    workflow = _load(WORKFLOW_DIR / "release.yml")
    assert _on(workflow)["push"] == {"tags": ["v*"]}
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}
    assert _step(publish, "pypa/gh-action-pypi-publish")["uses"].endswith("@release/v1")
    assert "with" not in _step(publish, "pypa/gh-action-pypi-publish")  # no token: trusted
    build = workflow["jobs"]["build"]
    assert any("python -m build" in s.get("run", "") for s in _steps(build))


def test_tests_workflow_runs_ci_run() -> None:
    workflow = _load(WORKFLOW_DIR / "tests.yml")
    on = _on(workflow)
    assert "push" in on
    assert "pull_request" in on
    runs = [s["run"] for job in workflow["jobs"].values() for s in _steps(job) if "run" in s]
    assert runs == ["bash .ci/run"]


# ---- the documentation ---------------------------------------------------------------------


def _readme_example() -> str:
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    examples = [b for b in blocks if b.startswith("# contentsync:")]
    assert len(examples) == 1
    return examples[0]


def _without(text: str, *dropped: str) -> list[str]:
    return [line for line in text.splitlines() if not any(d in line for d in dropped)]


def test_readme_example_is_the_workflow_this_repository_runs() -> None:
    # The same file, except where it takes the action from and this repository's fallback to
    # the sandbox (it has no Intercom workspace).
    example = _readme_example()
    assert _without(example, USES_THERE) == _without(
        CONTENT.read_text(encoding="utf-8"), USES_HERE, FALLBACK
    )
    assert USES_HERE not in example
    assert example.count(USES_THERE) == CONTENT.read_text(encoding="utf-8").count(USES_HERE)
    assert "sandbox" not in example.lower()


def test_readme_example_passes_actionlint(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "contentsync.yml").write_text(_readme_example(), encoding="utf-8")
    result = _actionlint(workflows / "contentsync.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_guide_lists_every_input_and_output() -> None:
    doc = GUIDE.read_text(encoding="utf-8")
    action = _load(ACTION)
    for name in [*action["inputs"], *action["outputs"]]:
        assert f"| `{name}` |" in doc, name
