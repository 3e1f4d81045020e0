"""The git edge of `status`: the working tree, and for every field of every file the commit that
last changed it.

History is read in one pass: one `git log --raw` over the content folder lists every commit
(parents first) with the files it changed, and one `git cat-file --batch-command` reads the versions
that must be compared. Walking the commits in that order keeps, per file, which commit last
changed each field (the caller says what the fields of a file are): a field keeps its commit
while its value does not change, a rename keeps the file's history, and a merge takes each
field from the parent whose value it kept, as `git blame` does. Uncommitted edits are the commit
`NOW`, after everything.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import threading
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from contentsync.errors import HistoryUnavailable
from contentsync.gcpause import collector_paused

MINIMUM_GIT = (2, 36)  # cat-file --batch-command (2.36), log --diff-merges (2.31)

NOW = "now"
"""The commit of uncommitted edits: after every other commit."""

Fields = Mapping[str, Hashable]
FieldsOf = Callable[[str, bytes], Fields]
"""(path, contents) -> the value of each field whose changes are tracked."""

_MISSING = object()


@dataclass(frozen=True, slots=True)
class FileHistory:
    """Where one file's fields come from."""

    blob: str  # the committed version ("" for a file that is only in the working tree)
    origins: Mapping[str, str]  # field -> the commit that last changed it
    default: str  # the commit of any field not in `origins`: the one that last rewrote them all
    born: str  # the commit that added the file, following renames

    def origin(self, field: str) -> str:
        return self.origins.get(field, self.default)


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    time: int  # committer date, Unix seconds


@dataclass(frozen=True)
class History:
    """The working tree of a content folder and where each of its fields comes from."""

    head: str  # "" before the first commit
    files: Mapping[str, bytes]  # path relative to the content folder -> contents on disk
    facts: Mapping[str, FileHistory]  # the same paths
    commit_times: Mapping[str, int]
    ancestors: Mapping[str, int]  # origin commit -> bit set of the origin commits it descends from
    bits: Mapping[str, int]  # origin commit -> its bit
    since: frozenset[str] | None = None  # with --changed-since: the commits after it, and NOW

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether `ancestor` is `descendant` or one of its ancestors (NOW comes after all)."""
        if descendant == NOW:
            return True
        if ancestor == NOW:
            return False
        return bool(self.ancestors[descendant] >> self.bits[ancestor] & 1)


def read_history(
    content_dir: Path,
    *,
    wanted: Callable[[str], bool],
    fields_of: FieldsOf,
    since: str | None = None,
) -> History:
    """Read the content folder's files and history. `wanted(path)` picks the files (paths
    relative to the folder, with '/'); `fields_of` says what their fields are."""
    git = _Git(content_dir)
    files = WorkingTree(content_dir, wanted)
    head = git.head()
    commits: list[Commit] = []
    state: dict[str, FileHistory] = {}
    # see collector_paused: the walk builds a file's history per path and commit, all acyclic
    with collector_paused(), _Blobs(git, fields_of) as blobs:
        if head:
            commits, changes = _log(git, wanted)
            blobs.prefetch(_compared_blobs(changes))
            state = _walk(commits, changes, blobs)
        facts = _overlay(state, files, git.edited() if head else set(files), blobs)
    origins = {o for fact in facts.values() for o in (*fact.origins.values(), fact.default)}
    origins |= {fact.born for fact in facts.values()}
    ancestors, bits = _ancestry(commits, origins - {NOW})
    return History(
        head=head,
        files=files,
        facts=facts,
        commit_times={c.sha: c.time for c in commits if c.sha in bits},
        ancestors=ancestors,
        bits=bits,
        since=None if since is None else git.commits_since(since) | {NOW},
    )


# ---- git ------------------------------------------------------------------------------------


class _Git:
    def __init__(self, content_dir: Path) -> None:
        if not content_dir.is_dir():
            raise HistoryUnavailable(f"{content_dir}: no such content folder")
        self.cwd = content_dir
        self._check_version()
        inside = self._git("rev-parse", "--is-inside-work-tree")
        if inside.returncode != 0 or inside.stdout.strip() != b"true":
            said = inside.stderr.decode("utf-8", "replace").strip().splitlines()
            if said and "not a git repository" not in said[-1]:  # e.g. dubious ownership
                raise HistoryUnavailable(f"git cannot read the repository here: {said[-1]}")
            raise HistoryUnavailable(
                f"{content_dir} is not inside a git repository: status compares each "
                "translation's history with its source's, so run it in a clone of the "
                "repository (git clone URL), not in a copy of the files"
            )
        if self.run("rev-parse", "--is-shallow-repository").strip() == "true":
            raise HistoryUnavailable(
                "this is a shallow clone, so the history that tells stale translations is "
                "missing: run 'git fetch --unshallow', or in GitHub Actions give "
                "actions/checkout 'fetch-depth: 0'"
            )

    def _check_version(self) -> None:
        written = self.run("version").strip()  # "git version 2.39.3 (Apple Git-146)"
        number = re.search(r"(\d+)\.(\d+)", written)
        if number is None or (int(number[1]), int(number[2])) < MINIMUM_GIT:
            raise HistoryUnavailable(
                f"status needs git {'.'.join(map(str, MINIMUM_GIT))} or later "
                f"(for cat-file --batch-command); this is {written}"
            )

    def _git(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(
                ["git", *_SETTINGS, *args],
                cwd=self.cwd,
                capture_output=True,
                env=_git_env(),
                check=False,
            )
        except FileNotFoundError:
            raise HistoryUnavailable(
                "git is not installed: status reads the content's git history"
            ) from None

    def run(self, *args: str, check: bool = True) -> str:
        return self.run_bytes(*args, check=check).decode("utf-8", "surrogateescape")

    def run_bytes(self, *args: str, check: bool = True) -> bytes:
        done = self._git(*args)
        if check and done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise HistoryUnavailable(f"git {args[0]} failed: {message[-1] if message else ''}")
        return done.stdout

    def edited(self) -> set[str]:
        """Paths (relative to the content folder) that differ from HEAD or are untracked."""
        prefix = self.run("rev-parse", "--show-prefix").strip()
        listed = self.run("status", "--porcelain=v1", "-z", "-uall", "--no-renames", "--", ".")
        return {entry[3:].removeprefix(prefix) for entry in listed.split("\0") if entry}

    def head(self) -> str:
        return self.run("rev-parse", "--verify", "--quiet", "HEAD", check=False).strip()

    def commits_since(self, rev: str) -> frozenset[str]:
        if not self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False):
            raise HistoryUnavailable(
                f"--changed-since {rev}: no such commit here; fetch it first (for a pull "
                "request: git fetch origin BASE_BRANCH, then --changed-since origin/BASE_BRANCH)"
            )
        listed = self.run("rev-list", "HEAD", "--not", rev, "--")
        return frozenset(listed.split())


# A user's settings must not change what git prints (the command lines set the rest).
_SETTINGS = ("-c", "core.quotepath=off", "-c", "log.showSignature=false")


def _git_env() -> dict[str, str]:
    return {
        **os.environ,
        "LC_ALL": "C",
        "GIT_OPTIONAL_LOCKS": "0",  # status must not rewrite the index of a repository it reads
    }


class WorkingTree(Mapping[str, bytes]):
    """The files of the content folder that `wanted` picks, by path relative to the folder
    (with '/'); contents are read when asked for, once."""

    def __init__(self, content_dir: Path, wanted: Callable[[str], bool]) -> None:
        self.root = content_dir
        self.paths: list[str] = []
        for folder, dirs, names in os.walk(content_dir):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            relative = os.path.relpath(folder, content_dir).replace(os.sep, "/")
            for name in sorted(names):
                path = name if relative == "." else f"{relative}/{name}"
                if wanted(path):
                    self.paths.append(path)
        self.known = set(self.paths)
        self.read: dict[str, bytes] = {}

    def __getitem__(self, path: str) -> bytes:
        if path not in self.known:
            raise KeyError(path)
        if path not in self.read:
            with open(os.path.join(self.root, path), "rb") as file:
                self.read[path] = file.read()
        return self.read[path]

    def __contains__(self, path: object) -> bool:
        return path in self.known

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


# ---- the log --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Change:
    status: str  # A, D, M, R, T
    old_path: str
    path: str
    old_blob: str
    blob: str


def _log(git: _Git, wanted: Callable[[str], bool]) -> tuple[list[Commit], dict[str, list[_Change]]]:
    """Every commit of HEAD, parents first, with what it changed under the content folder (a
    merge: against its first parent)."""
    raw = git.run_bytes(
        "log", "-z", "--reverse", "--topo-order", "--format=%x1e%H %P%x1f%ct",
        "--raw", "--no-abbrev", "-M", "--diff-merges=first-parent", "--full-history",
        "--sparse", "--relative", "--no-ext-diff", "--no-color", "HEAD", "--", ".",
    ).decode("utf-8", "surrogateescape")  # fmt: skip
    commits: list[Commit] = []
    changes: dict[str, list[_Change]] = {}
    for chunk in raw.split("\x1e")[1:]:
        header, _, body = chunk.partition("\0")
        shas, _, time = header.partition("\x1f")
        sha, *parents = shas.split()
        commits.append(Commit(sha, tuple(parents), int(time)))
        tokens = body.lstrip("\n").split("\0")
        found: list[_Change] = []
        i = 0
        while i < len(tokens) and tokens[i].startswith(":"):
            meta = tokens[i].split()
            status = meta[4][0]
            if status in "RC":
                old_path, path, i = tokens[i + 1], tokens[i + 2], i + 3
            else:
                old_path = path = tokens[i + 1]
                i += 2
            if status == "C":
                status = "A"  # a copy starts its own history
            if wanted(path) or wanted(old_path):
                found.append(_Change(status, old_path, path, meta[2], meta[3]))
        if found:
            changes[sha] = found
    return commits, changes


def _compared_blobs(changes: Mapping[str, list[_Change]]) -> dict[str, str]:
    """The versions the walk compares, both sides of every edit: blob -> path."""
    versions: dict[str, str] = {}
    for found in changes.values():
        for change in found:
            if change.status not in "AD" and change.old_blob != change.blob:
                versions[change.old_blob] = change.old_path
                versions[change.blob] = change.path
    return versions


class _Blobs:
    """File versions by blob id, read by one `git cat-file --batch-command`, and their fields."""

    def __init__(self, git: _Git, fields_of: FieldsOf) -> None:
        self.git = git
        self.fields_of = fields_of
        self.fields: dict[tuple[str, str], Fields] = {}  # (path, blob) -> its fields
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> _Blobs:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            assert self.process.stdin is not None and self.process.stdout is not None
            self.process.stdin.close()
            self.process.stdout.close()
            self.process.wait()

    def _start(self) -> subprocess.Popen[bytes]:
        if self.process is None:
            # --buffer: git writes its answers in large blocks, until each "flush"
            self.process = subprocess.Popen(
                ["git", *_SETTINGS, "cat-file", "--batch-command", "--buffer"],
                cwd=self.git.cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=_git_env(),
                bufsize=1 << 20,
            )
        return self.process

    def prefetch(self, versions: Mapping[str, str]) -> None:
        """The fields of many versions (blob -> the path to read it as), with one request, so
        reading never waits for asking; contents are not kept."""
        todo = [(blob, path) for blob, path in versions.items() if (path, blob) not in self.fields]
        for (blob, path), raw in zip(todo, self._read([blob for blob, _ in todo]), strict=True):
            self.fields[path, blob] = self.fields_of(path, raw)

    def fields_at(self, path: str, blob: str) -> Fields:
        if (path, blob) not in self.fields:
            self.prefetch({blob: path})
        return self.fields[path, blob]

    def _read(self, blobs: list[str]) -> Iterator[bytes]:
        if not blobs:
            return
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        stdin, stdout = process.stdin, process.stdout
        request = "".join(f"contents {blob}\n" for blob in blobs) + "flush\n"

        def write() -> None:  # in a thread, so neither pipe fills while the other waits
            stdin.write(request.encode())
            stdin.flush()

        writer = threading.Thread(target=write)
        writer.start()
        unreadable = []
        for blob in blobs:  # every answer is read, so git never waits on a full pipe
            header = stdout.readline().split()
            if len(header) == 3:
                yield stdout.read(int(header[2]) + 1)[:-1]
            else:
                unreadable.append(blob)
        writer.join()
        if unreadable:
            raise HistoryUnavailable(
                f"git cannot read {len(unreadable)} file version(s) of the history, such as "
                f"{unreadable[0]}: is the repository complete (not a partial clone)?"
            )


# ---- the walk -------------------------------------------------------------------------------


def _walk(
    commits: list[Commit], changes: Mapping[str, list[_Change]], blobs: _Blobs
) -> dict[str, FileHistory]:
    """The files at HEAD (the last commit) and where their fields come from."""
    children: dict[str, int] = {}
    for commit in commits:
        for parent in commit.parents:
            children[parent] = children.get(parent, 0) + 1
    states: dict[str, dict[str, FileHistory]] = {}
    state: dict[str, FileHistory] = {}
    for commit in commits:
        known = [p for p in commit.parents if p in states]
        if known:
            first = known[0]
            children[first] -= 1
            # the last child of a parent takes its state; others copy it
            state = states.pop(first) if children[first] == 0 else dict(states[first])
        else:
            state = {}
        others = [states[p] for p in known[1:]]
        for change in changes.get(commit.sha, ()):
            _apply(state, change, commit.sha, others, blobs)
        for parent in known[1:]:
            children[parent] -= 1
            if children[parent] == 0:
                del states[parent]
        states[commit.sha] = state
    return state


def _apply(
    state: dict[str, FileHistory],
    change: _Change,
    sha: str,
    others: list[dict[str, FileHistory]],
    blobs: _Blobs,
) -> None:
    before = state.pop(change.old_path, None)
    if change.status == "D":
        return
    if before is not None and before.blob == change.blob:
        state[change.path] = before  # renamed, or only its mode changed
        return
    # a merge keeps whole a version one of its other parents had
    for other in others:
        theirs = other.get(change.path)
        if theirs is not None and theirs.blob == change.blob:
            state[change.path] = theirs
            return
    parents = [(change.old_path, before)] if before is not None else []
    parents += [(change.path, o[change.path]) for o in others if change.path in o]
    state[change.path] = _derive(change.path, change.blob, sha, parents, blobs)


def _derive(
    path: str,
    blob: str,
    sha: str,
    parents: list[tuple[str, FileHistory]],
    blobs: _Blobs,
) -> FileHistory:
    """A new version's history: each field keeps its commit from the first parent version
    holding the same value; a changed field (or a new file's every field) gets `sha`."""
    if not parents:
        return FileHistory(blob, {}, sha, sha)
    now = blobs.fields_at(path, blob)
    return _inherit(now, blob, sha, [(blobs.fields_at(p, f.blob), f) for p, f in parents])


def _inherit(
    now: Fields, blob: str, sha: str, parents: list[tuple[Fields, FileHistory]]
) -> FileHistory:
    origins: dict[str, str] = {}
    for field, value in now.items():
        origins[field] = next(
            (f.origin(field) for fields, f in parents if fields.get(field, _MISSING) == value),
            sha,
        )
    return FileHistory(blob, origins, sha, parents[0][1].born)


# ---- uncommitted edits ----------------------------------------------------------------------


def _overlay(
    state: Mapping[str, FileHistory],
    files: Mapping[str, bytes],
    edited: set[str],
    blobs: _Blobs,
) -> dict[str, FileHistory]:
    """The working tree's files: a committed file keeps its history, an edited field is NOW, a
    file moved without an edit keeps its history, a new file is NOW."""
    moved: dict[str, FileHistory] | None = None
    facts: dict[str, FileHistory] = {}
    changed: list[tuple[str, bytes, FileHistory]] = []
    for path in files:
        before = state.get(path)
        if before is not None and path not in edited:
            facts[path] = before
            continue
        raw = files[path]
        blob = _blob_id(raw)
        if before is None:
            if moved is None:
                moved = {f.blob: f for p, f in state.items() if p not in files}
            before = moved.get(blob)
        if before is None:
            facts[path] = FileHistory("", {}, NOW, NOW)
        elif before.blob == blob:
            facts[path] = before
        else:
            changed.append((path, raw, before))
    blobs.prefetch({before.blob: path for path, _, before in changed})
    for path, raw, before in changed:
        now = blobs.fields_of(path, raw)
        facts[path] = _inherit(now, "", NOW, [(blobs.fields_at(path, before.blob), before)])
    return facts


def _blob_id(raw: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw, usedforsecurity=False).hexdigest()


# ---- ancestry -------------------------------------------------------------------------------


def _ancestry(commits: list[Commit], origins: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """For each origin commit, the set of origin commits it descends from (itself included),
    as bits: one walk over the commits, parents first."""
    bits = {sha: i for i, sha in enumerate(sorted(origins))}
    below: dict[str, int] = {}
    for commit in commits:
        mask = 1 << bits[commit.sha] if commit.sha in bits else 0
        for parent in commit.parents:
            mask |= below.get(parent, 0)
        below[commit.sha] = mask
    return {sha: below[sha] for sha in bits}, bits
