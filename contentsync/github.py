"""GitHub's REST API, the few endpoints the workflows need: the pull request a push to main
merged, the plan file its last plan run kept, a comment on it, and the one drift issue.

The endpoints (https://docs.github.com/rest), and what each is used for:

    GET   /repos/R/commits/SHA/pulls                      the pull request a push merged
    GET   /repos/R/actions/workflows/W/runs?head_sha=H    that pull request's plan runs
    GET   /repos/R/actions/runs/ID/artifacts?name=N       the plan file a run kept
    GET   (the artifact's archive_download_url)           a zip; a redirect to blob storage
    POST  /repos/R/issues/N/comments                      a comment on a pull request or issue
    GET   /repos/R/issues?labels=L&state=open             the open drift issue
    POST  /repos/R/issues, PATCH /repos/R/issues/N        open, update, close it

The token (GITHUB_TOKEN) lives in the httpx client's headers only. httpx drops it when the
artifact download is redirected to another host, as GitHub's is.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from contentsync import __version__
from contentsync.client import check_api_url
from contentsync.errors import GitHubError

API_VERSION = "2022-11-28"
PLAN_ARTIFACT = "contentsync-plan"
DRIFT_LABEL = "contentsync-drift"
DRIFT_TITLE = "contentsync: the help center in Intercom differs from main"
PER_PAGE = 100


class GitHub:
    """One repository's REST API, authenticated with a workflow's token."""

    def __init__(
        self,
        api_url: str,
        token: str,
        repository: str,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        base = check_api_url(api_url)
        self.repository = repository
        self._http = httpx.Client(
            base_url=f"{base}/repos/{repository}",
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": f"contentsync/{__version__}",
            },
            timeout=30.0,
            follow_redirects=True,
            transport=transport,
        )

    def __enter__(self) -> GitHub:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._http.close()

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        shown = url.split("?")[0]
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            # Not chained: httpx's exception carries the request, and with it the token.
            failure = type(exc).__name__
            raise GitHubError(f"GitHub {method} {shown}: no answer ({failure})") from None
        if response.is_success:
            return response
        try:
            message = str(response.json().get("message", ""))
        except ValueError:
            message = ""
        denied = response.status_code in (403, 404)
        hint = " (does the job grant this permission?)" if denied else ""
        raise GitHubError(
            f"GitHub {method} {shown}: HTTP {response.status_code} {message}".rstrip() + hint
        )

    def _json(self, method: str, url: str, **kwargs: Any) -> Any:
        return self._send(method, url, **kwargs).json()

    def pulls_for_commit(self, sha: str) -> list[dict[str, Any]]:
        pulls: list[dict[str, Any]] = self._json("GET", f"/commits/{sha}/pulls")
        return pulls

    def pull_request_runs(self, workflow: str, head_sha: str) -> list[dict[str, Any]]:
        params = {"head_sha": head_sha, "event": "pull_request", "per_page": PER_PAGE}
        data = self._json("GET", f"/actions/workflows/{workflow}/runs", params=params)
        runs: list[dict[str, Any]] = data["workflow_runs"]
        return runs

    def run_artifacts(self, run_id: int, name: str) -> list[dict[str, Any]]:
        params = {"name": name, "per_page": PER_PAGE}
        data = self._json("GET", f"/actions/runs/{run_id}/artifacts", params=params)
        artifacts: list[dict[str, Any]] = data["artifacts"]
        return artifacts

    def download(self, url: str) -> bytes:
        return self._send("GET", url).content

    def comment(self, number: int, body: str) -> None:
        self._send("POST", f"/issues/{number}/comments", json={"body": body})

    def open_issues(self, label: str) -> list[dict[str, Any]]:
        params = {"labels": label, "state": "open", "per_page": PER_PAGE}
        issues: list[dict[str, Any]] = self._json("GET", "/issues", params=params)
        return [i for i in issues if "pull_request" not in i]  # the list holds pull requests too

    def create_issue(self, title: str, body: str, label: str) -> int:
        data = self._json("POST", "/issues", json={"title": title, "body": body, "labels": [label]})
        return int(data["number"])

    def edit_issue(self, number: int, **fields: str) -> None:
        self._send("PATCH", f"/issues/{number}", json=fields)


# ---- the plan that was reviewed ------------------------------------------------------------


@dataclass(frozen=True)
class PullRequest:
    number: int
    head_sha: str
    url: str


@dataclass(frozen=True)
class ReviewedPlan:
    """The plan file the pull request's last plan run kept, as its JSON text."""

    pull: PullRequest
    run_url: str
    text: str


@dataclass(frozen=True)
class NoReviewedPlan:
    """Why there is no plan to apply; `pull` is None for a direct push."""

    pull: PullRequest | None
    reason: str


def merged_pull_request(github: GitHub, sha: str) -> PullRequest | None:
    """The pull request whose merge made commit `sha` (merge, squash or rebase), if any."""
    for pull in github.pulls_for_commit(sha):
        if pull.get("merged_at") and pull.get("merge_commit_sha") == sha:
            return PullRequest(int(pull["number"]), str(pull["head"]["sha"]), str(pull["html_url"]))
    return None


def find_reviewed_plan(github: GitHub, sha: str, workflow: str) -> ReviewedPlan | NoReviewedPlan:
    """The plan file kept by the last run of `workflow` (a file name such as content.yml) on
    the last commit of the pull request that commit `sha` merged."""
    pull = merged_pull_request(github, sha)
    if pull is None:
        return NoReviewedPlan(
            None,
            f"commit {sha[:12]} did not come from a merged pull request (a direct push), "
            "so no plan was reviewed for it",
        )
    runs = github.pull_request_runs(workflow, pull.head_sha)
    if not runs:
        return NoReviewedPlan(
            pull,
            f"no run of {workflow} planned the pull request's last commit {pull.head_sha[:12]}",
        )
    last = max(runs, key=lambda run: (str(run["created_at"]), int(run["id"])))
    run_url = str(last["html_url"])
    if last.get("status") != "completed":
        return NoReviewedPlan(
            pull, f"the pull request's last plan run ({run_url}) had not finished at the merge"
        )
    artifacts = github.run_artifacts(int(last["id"]), PLAN_ARTIFACT)
    if not artifacts:
        return NoReviewedPlan(
            pull,
            f"the pull request's last plan run ({run_url}) kept no plan file: pull requests "
            "from forks get no plan, and a plan that failed or was skipped keeps none",
        )
    kept = max(artifacts, key=lambda artifact: str(artifact["created_at"]))
    if kept.get("expired"):
        return NoReviewedPlan(pull, f"the plan file of the last plan run ({run_url}) has expired")
    text = _plan_in_zip(github.download(str(kept["archive_download_url"])))
    if text is None:
        return NoReviewedPlan(
            pull, f"the plan artifact of the last plan run ({run_url}) holds no one .json file"
        )
    return ReviewedPlan(pull, run_url, text)


def _plan_in_zip(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.endswith(".json")]
            if len(names) != 1:
                return None
            return archive.read(names[0]).decode("utf-8")
    except (zipfile.BadZipFile, UnicodeDecodeError):
        return None


# ---- drift -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DriftOutcome:
    """What happened to the drift issue: opened, updated, closed or none (no drift, no issue)."""

    action: str
    number: int | None


def sync_drift_issue(
    github: GitHub, label: str, body: str | None, closing_comment: str
) -> DriftOutcome:
    """Keep one open issue labelled `label` holding `body`; with no body (Intercom and main
    agree), close every open one with `closing_comment`. Extra open ones are closed too."""
    issues = sorted(github.open_issues(label), key=lambda issue: int(issue["number"]))
    if body is None:
        for issue in issues:
            github.comment(int(issue["number"]), closing_comment)
            github.edit_issue(int(issue["number"]), state="closed", state_reason="completed")
        return (
            DriftOutcome("closed", int(issues[0]["number"]))
            if issues
            else DriftOutcome("none", None)
        )
    if not issues:
        return DriftOutcome("opened", github.create_issue(DRIFT_TITLE, body, label))
    keep, *extra = issues
    number = int(keep["number"])
    github.edit_issue(number, body=body)
    for issue in extra:
        github.comment(int(issue["number"]), f"Closed: #{number} tracks this drift.")
        github.edit_issue(int(issue["number"]), state="closed", state_reason="not_planned")
    return DriftOutcome("updated", number)
