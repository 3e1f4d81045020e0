"""The GitHub glue, end to end: the real CLI (`contentsync --sandbox github ...`) against the
embedded sandbox and a local fake of GitHub's REST API over real HTTP (tests/fake_github.py).

A merge applies the plan reviewed in its pull request: fresh, stale because main moved
(stale-content), stale because Intercom moved (stale-live), and no plan to apply (a fork's
pull request, a direct push). The drift issue is opened, kept up to date and closed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from contentsync.errors import GitHubError
from contentsync.github import GitHub, NoReviewedPlan, ReviewedPlan, find_reviewed_plan
from tests.clirun import Result, run
from tests.fake_github import REPOSITORY, TOKEN, FakeGitHub, running_fake_github

ROOT = Path(__file__).resolve().parent.parent
MERGE_SHA = "a" * 40
HEAD_SHA = "b" * 40
PULL = 7


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with running_fake_github() as fake:
        yield fake


@pytest.fixture
def project(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "content", repo / "content")
    return repo


def _job_env(fake: FakeGitHub, project: Path) -> dict[str, str | None]:
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": fake.url,
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_SHA": MERGE_SHA,
        "GITHUB_WORKFLOW_REF": f"{REPOSITORY}/.github/workflows/content.yml@refs/heads/main",
        "GITHUB_RUN_ID": "42",
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_STEP_SUMMARY": str(project / "summary.md"),
    }


def _cs(project: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return run("--sandbox", *args, cwd=project, env=env)


def _summary(project: Path) -> str:
    path = project / "summary.md"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _pending(project: Path) -> str:
    """What a plan against the sandbox shows now: unchanged means nothing was applied."""
    result = _cs(project, "plan", "--format", "json")
    assert result.code == 0, result.output
    return result.out


def _review_in_pull_request(fake: FakeGitHub, project: Path) -> None:
    """What the pull request's plan job does: plan, keep the plan file as the artifact."""
    result = _cs(project, "plan", "--out", "pr-plan.json")
    assert result.code == 0, result.output
    fake.merged_pull(PULL, MERGE_SHA, HEAD_SHA)
    run_id = fake.run(HEAD_SHA)
    text = (project / "pr-plan.json").read_text(encoding="utf-8")
    fake.artifact(run_id, {"contentsync-plan.json": text})


def _remove_one_file(content: Path) -> None:
    """Change the content without knowing its shape: drop the last file whose removal keeps
    it valid."""
    for path in sorted(content.rglob("*"), reverse=True):
        if not path.is_file() or path.name.startswith("_help_center"):
            continue
        kept = path.read_bytes()
        path.unlink()
        if run("validate", cwd=content.parent).code == 0:
            return
        path.write_bytes(kept)
    raise AssertionError("no file of content/ can be removed with the content still valid")


def _edit_intercom(project: Path) -> None:
    """Someone changes the help center in Intercom: here, everything in it is deleted."""
    bare = project / "bare"
    for folder in (project / "content").iterdir():
        (bare / folder.name).mkdir(parents=True)
        for settings in folder.glob("_help_center.*"):
            shutil.copy(settings, bare / folder.name / settings.name)
    result = _cs(project, "--content", str(bare), "apply", "--auto-approve", "--allow-mass-delete")
    assert result.code == 0, result.output


# ---- apply what was reviewed ----------------------------------------------------------------


def test_merge_applies_the_plan_reviewed_in_the_pull_request(
    fake: FakeGitHub, project: Path
) -> None:
    _review_in_pull_request(fake, project)
    result = _cs(project, "github", "apply-reviewed", env=_job_env(fake, project))
    assert result.code == 0, result.output
    assert f"reviewed in https://github.example/{REPOSITORY}/pull/{PULL}" in result.out
    assert "done: create" in result.out
    assert _cs(project, "plan", "--detailed-exitcode").code == 0  # Intercom = main now
    assert fake.comments == []
    assert f"/pull/{PULL}" in _summary(project)
    # The token went to the API and never to the blob store the zip is redirected to.
    assert [s.authorized for s in fake.seen if s.path.startswith("/blob/")] == [False]
    assert all(s.authorized for s in fake.seen if s.path.startswith("/repos/"))


def test_merge_after_main_moved_applies_nothing_and_says_so(
    fake: FakeGitHub, project: Path
) -> None:
    _review_in_pull_request(fake, project)
    _remove_one_file(project / "content")  # another pull request changed main meanwhile
    before = _pending(project)
    result = _cs(project, "github", "apply-reviewed", env=_job_env(fake, project))
    assert result.code == 1
    assert "stale plan: the content changed" in result.err
    assert _pending(project) == before
    [(number, comment)] = fake.comments
    assert number == PULL
    assert "out of date, so **nothing was applied**" in comment
    assert "the content changed" in comment
    assert f"https://github.example/{REPOSITORY}/actions/workflows/content.yml" in comment
    assert "Run workflow" in comment


def test_merge_after_intercom_moved_applies_nothing_and_says_so(
    fake: FakeGitHub, project: Path
) -> None:
    assert _cs(project, "apply", "--auto-approve").code == 0
    _remove_one_file(project / "content")  # the pull request deletes something
    _review_in_pull_request(fake, project)
    _edit_intercom(project)
    before = _pending(project)
    result = _cs(project, "github", "apply-reviewed", env=_job_env(fake, project))
    assert result.code == 1
    assert "stale plan: the live help center changed" in result.err
    assert _pending(project) == before
    [(number, comment)] = fake.comments
    assert number == PULL
    assert "the live help center changed" in comment
    assert "someone changed the help center in Intercom" in comment
    assert "Run workflow" in comment


def test_merge_of_a_pull_request_without_a_plan_file_applies_nothing(
    fake: FakeGitHub, project: Path
) -> None:
    # A fork's pull request: validated, never planned, so its run kept no plan file.
    fake.merged_pull(PULL, MERGE_SHA, HEAD_SHA)
    fake.run(HEAD_SHA)
    before = _pending(project)
    result = _cs(project, "github", "apply-reviewed", env=_job_env(fake, project))
    assert result.code == 1
    assert "nothing applied" in result.err
    assert "kept no plan file" in result.err
    assert _pending(project) == before
    [(number, comment)] = fake.comments
    assert number == PULL
    assert "nothing was applied" in comment
    assert "forks get no plan" in comment
    assert "Run workflow" in comment
    assert comment.strip() in _summary(project)


def test_direct_push_applies_nothing_and_says_so_in_the_summary(
    fake: FakeGitHub, project: Path
) -> None:
    before = _pending(project)
    result = _cs(project, "github", "apply-reviewed", env=_job_env(fake, project))
    assert result.code == 1
    assert "direct push" in result.err
    assert _pending(project) == before
    assert fake.comments == []
    summary = _summary(project)
    assert "nothing was applied" in summary
    assert "direct push" in summary
    assert f"https://github.example/{REPOSITORY}/actions/workflows/content.yml" in summary


def test_apply_reviewed_outside_github_actions_says_what_is_missing(project: Path) -> None:
    result = _cs(project, "github", "apply-reviewed", env={"GITHUB_REPOSITORY": None})
    assert result.code == 1
    assert "not in a GitHub Actions job" in result.err
    assert "GITHUB_REPOSITORY" in result.err


# ---- finding the plan, without the CLI ---------------------------------------------------------


def _find(fake: FakeGitHub) -> ReviewedPlan | NoReviewedPlan:
    with GitHub(fake.url, TOKEN, REPOSITORY) as gh:
        return find_reviewed_plan(gh, MERGE_SHA, "content.yml")


def test_the_last_plan_run_counts_not_an_older_one(fake: FakeGitHub) -> None:
    fake.merged_pull(PULL, MERGE_SHA, HEAD_SHA)
    fake.artifact(fake.run(HEAD_SHA), {"contentsync-plan.json": '{"old": true}'})
    fake.run(HEAD_SHA, workflow="tests.yml")  # another workflow's run is not a plan run
    newest = fake.run(HEAD_SHA)  # re-run after the base branch moved: its plan failed
    found = _find(fake)
    assert isinstance(found, NoReviewedPlan)
    assert f"runs/{newest}" in found.reason
    fake.artifact(newest, {"contentsync-plan.json": '{"new": true}'})
    found = _find(fake)
    assert isinstance(found, ReviewedPlan)
    assert found.text == '{"new": true}'
    assert found.pull.number == PULL


def test_a_plan_run_still_running_at_the_merge_is_no_plan(fake: FakeGitHub) -> None:
    fake.merged_pull(PULL, MERGE_SHA, HEAD_SHA)
    fake.run(HEAD_SHA, status="in_progress")
    found = _find(fake)
    assert isinstance(found, NoReviewedPlan)
    assert "had not finished" in found.reason


def test_an_expired_or_empty_artifact_is_no_plan(fake: FakeGitHub) -> None:
    fake.merged_pull(PULL, MERGE_SHA, HEAD_SHA)
    run_id = fake.run(HEAD_SHA)
    fake.artifact(run_id, {"notes.txt": "no plan here"})
    found = _find(fake)
    assert isinstance(found, NoReviewedPlan)
    assert "holds no one .json file" in found.reason
    fake.artifacts[run_id][0]["expired"] = True
    found = _find(fake)
    assert isinstance(found, NoReviewedPlan)
    assert "expired" in found.reason


def test_a_pull_request_merely_containing_the_commit_is_not_the_merge(fake: FakeGitHub) -> None:
    fake.merged_pull(PULL, "c" * 40, MERGE_SHA)  # merged elsewhere, not by this push
    found = _find(fake)
    assert isinstance(found, NoReviewedPlan)
    assert found.pull is None


def test_github_errors_name_the_endpoint_and_never_the_token(fake: FakeGitHub) -> None:
    with GitHub(fake.url, "wrong-token", REPOSITORY) as gh, pytest.raises(GitHubError) as caught:
        gh.pulls_for_commit(MERGE_SHA)
    assert "HTTP 401 Bad credentials" in str(caught.value)
    assert f"/commits/{MERGE_SHA}/pulls" in str(caught.value)
    assert "wrong-token" not in str(caught.value)
    with GitHub(fake.url, TOKEN, "acme/other") as gh, pytest.raises(GitHubError) as caught:
        gh.comment(1, "x")
    assert "HTTP 404" in str(caught.value)
    assert "permission" in str(caught.value)


def test_github_refuses_plain_http_to_another_host() -> None:
    with pytest.raises(Exception, match="plain http"):
        GitHub("http://github.example", TOKEN, REPOSITORY)


# ---- drift -------------------------------------------------------------------------------------


def _drift(fake: FakeGitHub, project: Path, *args: str) -> Result:
    return _cs(project, "github", "drift-issue", *args, env=_job_env(fake, project))


def test_drift_issue_is_opened_updated_and_closed(fake: FakeGitHub, project: Path) -> None:
    plan = project / "plan.md"
    plan.write_text(_cs(project, "plan", "--format", "markdown").out, encoding="utf-8")

    result = _drift(fake, project, str(plan), "--changes")
    assert result.code == 0, result.output
    assert "Drift issue #1 opened." in result.out
    [issue] = fake.issues.values()
    assert issue["labels"] == ["contentsync-drift"]
    assert "## contentsync plan" in issue["body"]
    assert "differs from the content on `main`" in issue["body"]

    plan.write_text("## contentsync plan\n\nsomething else\n", encoding="utf-8")
    result = _drift(fake, project, str(plan), "--changes")
    assert "Drift issue #1 updated." in result.out
    assert len(fake.issues) == 1
    assert "something else" in fake.issues[1]["body"]

    result = _drift(fake, project, str(plan), "--no-changes")
    assert "Drift issue #1 closed." in result.out
    assert fake.issues[1]["state"] == "closed"
    assert fake.comments == [(1, fake.comments[0][1])]
    assert "agree again" in fake.comments[0][1]

    result = _drift(fake, project, str(plan), "--no-changes")
    assert "No drift, and no open drift issue." in result.out
    assert len(fake.comments) == 1


def test_drift_keeps_one_issue(fake: FakeGitHub, project: Path) -> None:
    fake.open_issue(3, "contentsync-drift")
    fake.open_issue(5, "contentsync-drift")
    fake.open_issue(6, "other")
    plan = project / "plan.md"
    plan.write_text("## contentsync plan\n\nchanges\n", encoding="utf-8")
    result = _drift(fake, project, str(plan), "--changes", "--label", "contentsync-drift")
    assert "Drift issue #3 updated." in result.out
    assert fake.issues[3]["state"] == "open"
    assert fake.issues[5]["state"] == "closed"
    assert fake.issues[6]["state"] == "open"
    assert fake.comments == [(5, "Closed: #3 tracks this drift.")]


def test_a_comment_github_refuses_does_not_hide_why_nothing_was_applied(
    fake: FakeGitHub, project: Path
) -> None:
    _review_in_pull_request(fake, project)
    _remove_one_file(project / "content")
    fake.comments_refused = True
    result = _cs(project, "github", "apply-reviewed", env=_job_env(fake, project))
    assert result.code == 1
    assert f"warning: could not comment on pull request #{PULL}" in result.err
    assert "HTTP 403" in result.err
    assert "error: stale plan: the content changed" in result.err
    assert fake.comments == []
