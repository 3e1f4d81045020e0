"""A local fake of the few GitHub REST endpoints contentsync.github calls, served over real HTTP
by uvicorn, like the sandbox. It holds what a test puts in it (pull requests, workflow runs,
artifacts, issues) and records what was sent (comments, requests, whether each carried the
token).

Like GitHub, an artifact's zip URL answers with a redirect to blob storage on another host
(here: `localhost` instead of `127.0.0.1`), and the blob store refuses a request that still
carries the token.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import socket
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

TOKEN = "ghs_fake_token_1234567890"
REPOSITORY = "acme/help"


@dataclass
class Seen:
    method: str
    path: str
    authorized: bool


@dataclass
class FakeGitHub:
    url: str = ""
    pulls_by_commit: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    artifacts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    blobs: dict[int, bytes] = field(default_factory=dict)
    comments: list[tuple[int, str]] = field(default_factory=list)
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    comments_refused: bool = False  # as for a fork's read-only token
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1000))

    # ---- what a test sets up -------------------------------------------------------------

    def merged_pull(self, number: int, merge_sha: str, head_sha: str) -> None:
        self.pulls_by_commit.setdefault(merge_sha, []).append(
            {
                "number": number,
                "merged_at": "2026-11-27T10:00:00Z",
                "merge_commit_sha": merge_sha,
                "head": {"sha": head_sha},
                "html_url": f"https://github.example/{REPOSITORY}/pull/{number}",
            }
        )

    def run(
        self, head_sha: str, *, workflow: str = "content.yml", status: str = "completed"
    ) -> int:
        run_id = next(self._ids)
        self.runs.append(
            {
                "id": run_id,
                "workflow": workflow,
                "head_sha": head_sha,
                "event": "pull_request",
                "status": status,
                "created_at": f"2026-11-27T09:{run_id % 60:02d}:00Z",
                "html_url": f"https://github.example/{REPOSITORY}/actions/runs/{run_id}",
            }
        )
        return run_id

    def artifact(
        self, run_id: int, files: dict[str, str], *, name: str = "contentsync-plan"
    ) -> None:
        artifact_id = next(self._ids)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for filename, text in files.items():
                archive.writestr(filename, text)
        self.blobs[artifact_id] = buffer.getvalue()
        api = f"{self.url}/repos/{REPOSITORY}"
        self.artifacts.setdefault(run_id, []).append(
            {
                "id": artifact_id,
                "name": name,
                "expired": False,
                "created_at": "2026-11-27T09:30:00Z",
                "archive_download_url": f"{api}/actions/artifacts/{artifact_id}/zip",
            }
        )

    def open_issue(self, number: int, label: str, body: str = "old") -> None:
        self.issues[number] = {"number": number, "state": "open", "labels": [label], "body": body}

    # ---- the endpoints -------------------------------------------------------------------

    def app(self) -> Starlette:
        prefix = "/repos/{owner}/{repo}"
        return Starlette(
            routes=[
                Route(prefix + "/commits/{sha}/pulls", self._pulls),
                Route(prefix + "/actions/workflows/{workflow}/runs", self._runs),
                Route(prefix + "/actions/runs/{run_id:int}/artifacts", self._artifacts),
                Route(prefix + "/actions/artifacts/{artifact_id:int}/zip", self._zip),
                Route("/blob/{artifact_id:int}", self._blob),
                Route(prefix + "/issues", self._issues, methods=["GET", "POST"]),
                Route(prefix + "/issues/{number:int}", self._issue, methods=["PATCH"]),
                Route(prefix + "/issues/{number:int}/comments", self._comment, methods=["POST"]),
            ]
        )

    def _check(self, request: Request) -> Response | None:
        authorized = request.headers.get("authorization") == f"Bearer {TOKEN}"
        self.seen.append(Seen(request.method, request.url.path, authorized))
        if request.url.path.startswith("/blob/"):
            return None
        if not authorized:
            return JSONResponse({"message": "Bad credentials"}, status_code=401)
        if request.path_params.get("owner") + "/" + request.path_params.get("repo") != REPOSITORY:
            return JSONResponse({"message": "Not Found"}, status_code=404)
        return None

    async def _pulls(self, request: Request) -> Response:
        return self._check(request) or JSONResponse(
            self.pulls_by_commit.get(request.path_params["sha"], [])
        )

    async def _runs(self, request: Request) -> Response:
        refused = self._check(request)
        if refused:
            return refused
        query = request.query_params
        runs = [
            r
            for r in self.runs
            if r["workflow"] == request.path_params["workflow"]
            and r["head_sha"] == query.get("head_sha", r["head_sha"])
            and r["event"] == query.get("event", r["event"])
        ]
        return JSONResponse({"total_count": len(runs), "workflow_runs": runs[::-1]})

    async def _artifacts(self, request: Request) -> Response:
        refused = self._check(request)
        if refused:
            return refused
        name = request.query_params.get("name")
        found = [
            a
            for a in self.artifacts.get(request.path_params["run_id"], [])
            if name in (None, a["name"])
        ]
        return JSONResponse({"total_count": len(found), "artifacts": found})

    async def _zip(self, request: Request) -> Response:
        refused = self._check(request)
        if refused:
            return refused
        blob = (
            self.url.replace("127.0.0.1", "localhost")
            + f"/blob/{request.path_params['artifact_id']}"
        )
        return RedirectResponse(blob, status_code=302)

    async def _blob(self, request: Request) -> Response:
        self._check(request)
        if "authorization" in request.headers:
            return Response("the token was sent to the blob store", status_code=400)
        return Response(
            self.blobs[request.path_params["artifact_id"]], media_type="application/zip"
        )

    async def _issues(self, request: Request) -> Response:
        refused = self._check(request)
        if refused:
            return refused
        if request.method == "POST":
            data = await request.json()
            number = max([*self.issues, 0]) + 1
            self.issues[number] = {
                "number": number,
                "state": "open",
                "title": data["title"],
                "body": data["body"],
                "labels": data["labels"],
            }
            return JSONResponse(self.issues[number], status_code=201)
        label = request.query_params["labels"]
        state = request.query_params["state"]
        found = [i for i in self.issues.values() if label in i["labels"] and i["state"] == state]
        # GitHub lists pull requests as issues too.
        found.append({"number": 999, "state": state, "labels": [label], "pull_request": {}})
        return JSONResponse(found)

    async def _issue(self, request: Request) -> Response:
        refused = self._check(request)
        if refused:
            return refused
        issue = self.issues[request.path_params["number"]]
        issue.update(await request.json())
        return JSONResponse(issue)

    async def _comment(self, request: Request) -> Response:
        refused = self._check(request)
        if refused:
            return refused
        if self.comments_refused:
            return JSONResponse({"message": "Resource not accessible by integration"}, 403)
        data = await request.json()
        self.comments.append((request.path_params["number"], data["body"]))
        return JSONResponse({"id": next(self._ids)}, status_code=201)


@contextlib.contextmanager
def running_fake_github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    fake.url = f"http://127.0.0.1:{port}"
    config = uvicorn.Config(fake.app(), log_level="critical", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive(), "the fake GitHub did not start"
            thread.join(0.01)
        yield fake
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
