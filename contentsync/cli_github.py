"""`contentsync github ...`: the hidden commands the workflows run through action.yml.

Part of the command line, kept out of cli.py so that the user's commands stay in one page.
Like cli.py they print and write the job summary; their errors reach cli.main, which prints
them and picks the exit code. They read the variables every GitHub Actions job has
(GITHUB_REPOSITORY, GITHUB_SHA, ...) and the token from GITHUB_TOKEN, which is never printed.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

from contentsync.errors import (
    ConfigError,
    ContentsyncError,
    GitHubError,
    PlanRefused,
    StalePlan,
    UnsafePlan,
)
from contentsync.github import (
    DRIFT_LABEL,
    GitHub,
    NoReviewedPlan,
    find_reviewed_plan,
    sync_drift_issue,
)


@dataclass(frozen=True)
class Job:
    """The running workflow job, as GitHub Actions describes it in the environment."""

    api_url: str
    server_url: str
    repository: str
    sha: str
    workflow: str  # the workflow's file name, e.g. content.yml
    run_url: str

    @property
    def manual_run_url(self) -> str:
        return f"{self.server_url}/{self.repository}/actions/workflows/{self.workflow}"

    def github(self) -> GitHub:
        token = os.environ.get("GITHUB_TOKEN", "").strip()
        if not token:
            raise ConfigError("GITHUB_TOKEN is not set: pass github-token to the action")
        return GitHub(self.api_url, token, self.repository)


def _job() -> Job:
    env = os.environ
    needed = ["GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_WORKFLOW_REF", "GITHUB_RUN_ID"]
    missing = [name for name in needed if not env.get(name)]
    if missing:
        raise ConfigError(f"not in a GitHub Actions job: {', '.join(missing)} not set")
    server = env.get("GITHUB_SERVER_URL") or "https://github.com"
    repository = env["GITHUB_REPOSITORY"]
    # owner/repo/.github/workflows/content.yml@refs/heads/main
    workflow = env["GITHUB_WORKFLOW_REF"].split("@", 1)[0].rsplit("/", 1)[-1]
    return Job(
        api_url=env.get("GITHUB_API_URL") or "https://api.github.com",
        server_url=server,
        repository=repository,
        sha=env["GITHUB_SHA"],
        workflow=workflow,
        run_url=f"{server}/{repository}/actions/runs/{env['GITHUB_RUN_ID']}",
    )


def _step_summary(markdown: str) -> None:
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(markdown.rstrip() + "\n\n")


def _comment(gh: GitHub, number: int, text: str) -> None:
    """A comment that cannot be posted must not hide why nothing was applied: say so, go on."""
    try:
        gh.comment(number, text)
    except GitHubError as exc:
        click.echo(f"warning: could not comment on pull request #{number}: {exc}", err=True)


@click.group(hidden=True)
def github() -> None:
    """What the GitHub workflows run (through action.yml); needs a GitHub Actions job."""


# ---- apply what was reviewed -----------------------------------------------------------------


def _manual_run(job: Job, why: str) -> str:
    return (
        f"{why} To apply `main` as it is now, run the workflow by hand: [{job.workflow}]"
        f"({job.manual_run_url}) > *Run workflow*. That run plans afresh and applies at once "
        "(its plan is in its job summary), so read this pull request's diff against `main` first."
    )


def _no_plan_text(job: Job, missing: NoReviewedPlan) -> str:
    return (
        "### contentsync: nothing was applied\n\n"
        f"There is no reviewed plan to apply: {missing.reason}.\n\n"
        + _manual_run(job, "Intercom was not changed.")
        + f"\n\n<sub>[apply run]({job.run_url})</sub>"
    )


def _refused_text(job: Job, exc: ContentsyncError) -> str:
    if isinstance(exc, StalePlan):
        why = (
            "The plan reviewed in this pull request is out of date, so **nothing was applied**: "
            f"{exc}. Either `main` moved after the plan was made (another pull request was "
            "merged), or someone changed the help center in Intercom. Intercom was not changed."
        )
    elif isinstance(exc, UnsafePlan):
        why = (
            f"The plan reviewed in this pull request was **not applied**: {exc}. Intercom was "
            "not changed. If those deletes are intended, run the workflow by hand with "
            "*allow_mass_delete* ticked."
        )
    elif isinstance(exc, PlanRefused):
        why = f"The plan reviewed in this pull request was **not applied**: {exc}."
    else:
        why = (
            f"**Applying the plan reviewed in this pull request failed**: {exc}. The apply "
            "run's summary says what was done and what was not."
        )
    return (
        f"### contentsync apply\n\n{_manual_run(job, why)}\n\n<sub>[apply run]({job.run_url})</sub>"
    )


@github.command("apply-reviewed")
@click.option("--parallelism", type=click.IntRange(1, 64), help="Requests in flight.")
@click.option("--allow-mass-delete", is_flag=True, help="Allow deleting over the safety limit.")
@click.pass_context
def apply_reviewed(ctx: click.Context, parallelism: int | None, allow_mass_delete: bool) -> None:
    """Apply the plan reviewed in the pull request that GITHUB_SHA merged.

    The plan file is the artifact its last plan run kept; `apply PLANFILE` refuses it when
    main or Intercom changed since. No plan, or a refusal: a comment on the pull request (or
    the job summary for a direct push) says why and points at the manual run; exit 1.
    """
    job = _job()
    with job.github() as gh:
        found = find_reviewed_plan(gh, job.sha, job.workflow)
        if isinstance(found, NoReviewedPlan):
            text = _no_plan_text(job, found)
            _step_summary(text)
            if found.pull is not None:
                _comment(gh, found.pull.number, text)
            raise PlanRefused(f"nothing applied: {found.reason}; see the job summary")
        click.echo(f"Applying the plan reviewed in {found.pull.url} (plan run: {found.run_url}).")
        _step_summary(f"Applying the plan reviewed in {found.pull.url} ([plan]({found.run_url})).")
        root = ctx.find_root().command
        assert isinstance(root, click.Group)
        apply = root.get_command(ctx, "apply")
        assert apply is not None
        with tempfile.TemporaryDirectory() as folder:
            planfile = Path(folder) / "reviewed-plan.json"
            planfile.write_text(found.text, encoding="utf-8")
            try:
                ctx.invoke(
                    apply,
                    planfile=planfile,
                    auto_approve=True,
                    parallelism=parallelism,
                    allow_mass_delete=allow_mass_delete,
                )
            except ContentsyncError as exc:
                _comment(gh, found.pull.number, _refused_text(job, exc))
                raise


# ---- drift -------------------------------------------------------------------------------------


def _drift_body(job: Job, markdown: str) -> str:
    return (
        "The help center in Intercom differs from the content on `main`: applying `main` "
        "would make the changes below. Usually someone edited it in Intercom. Either bring "
        "those edits into the content (`contentsync export --out DIR` writes what Intercom "
        "has) and merge them, or put Intercom back as `main` says by running the workflow by "
        f"hand: [{job.workflow}]({job.manual_run_url}) > *Run workflow*.\n\n"
        "This issue is kept up to date by the scheduled run and closed when they agree again."
        f"\n\n{markdown.strip()}\n\n<sub>Last checked by [this run]({job.run_url}).</sub>\n"
    )


@github.command("drift-issue")
@click.argument("markdown", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--changes/--no-changes",
    required=True,
    help="Whether the plan in MARKDOWN has changes (plan --detailed-exitcode said 2).",
)
@click.option("--label", default=DRIFT_LABEL, show_default=True, help="The drift issue's label.")
def drift_issue(markdown: Path, changes: bool, label: str) -> None:
    """Keep one issue labelled LABEL with the plan in MARKDOWN; close it when there are no
    changes."""
    job = _job()
    body = _drift_body(job, markdown.read_text(encoding="utf-8")) if changes else None
    closing = f"Intercom and `main` agree again ([run]({job.run_url})): closing."
    with job.github() as gh:
        outcome = sync_drift_issue(gh, label, body, closing)
    if outcome.number is None:
        click.echo("No drift, and no open drift issue.")
    else:
        click.echo(f"Drift issue #{outcome.number} {outcome.action}.")
