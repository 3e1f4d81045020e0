"""Plan + client -> results. Never prints or prompts: the caller watches through `on_result`.

Two phases: every create and update, then (only if all of those succeeded) every delete.
Within a phase an action starts as soon as what it depends on is done (a section waits for a
collection created in the same plan; a collection's delete waits for its sections' deletes and
moves), with at most `parallelism` requests in flight. On a failure or a stop request nothing
new starts, what is in flight finishes, and the report says what was done and what was not.

A create whose outcome is unknown (the client could not tell whether Intercom made it) is
resolved by re-reading: an object with that name under that parent that was not there before
is adopted, so a create is never duplicated. A create also waits for its previous sibling's,
so Intercom, which shows objects in creation order, shows them in file order.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from contentsync import live
from contentsync.bodies import article_url, link_targets, resolve_links
from contentsync.canonical import canonical
from contentsync.errors import ContentsyncError, NotFound, OutcomeUnknown
from contentsync.gcpause import existing_objects_frozen
from contentsync.locales import nests
from contentsync.plan import Change, Plan

Status = Literal["done", "failed", "not run"]
CREATE_ATTEMPTS = 5


class Client(Protocol):
    api_version: str

    def list_collections(self) -> list[dict[str, Any]]: ...
    def list_sections(self) -> list[dict[str, Any]]: ...
    def create_collection(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def update_collection(self, id: str, body: dict[str, Any]) -> dict[str, Any]: ...
    def delete_collection(self, id: str) -> dict[str, Any]: ...
    def create_section(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def update_section(self, id: str, body: dict[str, Any]) -> dict[str, Any]: ...
    def delete_section(self, id: str) -> dict[str, Any]: ...
    def create_article(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def update_article(self, id: str, body: dict[str, Any]) -> dict[str, Any]: ...
    def delete_article(self, id: str) -> dict[str, Any]: ...
    def list_recent_articles(self) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class ActionResult:
    change: Change
    status: Status
    id: str | None = None
    detail: str = ""


@dataclass
class ApplyReport:
    results: list[ActionResult] = field(default_factory=list)
    interrupted: bool = False

    def with_status(self, status: Status) -> list[ActionResult]:
        return [r for r in self.results if r.status == status]

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(r.status == "done" for r in self.results)


def is_section(change: Change, api_version: str) -> bool:
    """API 2.9 calls a level-2 collection a section, with endpoints of its own."""
    return change.kind == "collection" and change.depth == 2 and not nests(api_version)


def article_body(
    change: Change, api_version: str, *, parent_id: str | None, links: Mapping[str, str]
) -> dict[str, Any]:
    """An article's request: ids as the API types them (parent_id an integer on create, a
    string on update; author_id an integer); links to other articles resolved to their ids
    (a target not made yet links to nothing for now: '#')."""

    def content(text: Mapping[str, str], locale: str) -> dict[str, Any]:
        urls = {path: "#" for path in link_targets(text.get("body", ""))}
        for path, target in links.items():
            if target:
                there = locale in change.link_locales.get(path, ())
                page = locale if there else change.default_locale
                urls[path] = article_url(change.help_center, page, target)
        return {
            "title": text["title"],
            "description": text.get("description", ""),
            "body": resolve_links(text.get("body", ""), urls),
            "author_id": int(text["author"]),
            "state": text.get("state", "published"),
        }

    body = content(change.text, change.default_locale)
    if parent_id is not None:
        body["parent_id"] = int(parent_id) if change.action == "create" else str(parent_id)
        if not nests(api_version):
            body["parent_type"] = "section" if change.depth == 3 else "collection"
    translated: dict[str, Any] = {
        locale: content(text, locale) for locale, text in sorted(change.translations.items())
    }
    for locale in change.removed_locales:
        translated[locale] = None
    if translated:
        body["translated_content"] = translated
    return body


def request_body(
    change: Change, api_version: str, *, parent_id: str | None = None
) -> dict[str, Any]:
    """The request body exactly as the API version types it (ids as integers)."""
    section = is_section(change, api_version)
    body: dict[str, Any] = {"name": change.text["name"]}
    translated: dict[str, Any] = {}
    for locale, text in sorted(change.translations.items()):
        translated[locale] = {"name": text["name"]}
        if not section:
            translated[locale]["description"] = text.get("description", "")
    for locale in change.removed_locales:
        translated[locale] = None
    if not section:
        body["description"] = change.text.get("description", "")
    if change.action == "create" and change.depth == 1 and change.help_center_id is not None:
        body["help_center_id"] = int(change.help_center_id)
    if parent_id is not None:
        # a 2.9 section's parent is an integer; 2.16 types a collection's parent_id a string
        body["parent_id"] = str(parent_id) if nests(api_version) else int(parent_id)
    elif change.action == "update" and change.old_parent_id and nests(api_version):
        body["parent_id"] = None  # moved to the top of its help center
    if translated:
        body["translated_content"] = translated
    return body


def dependencies(changes: Iterable[Change]) -> dict[str, set[str]]:
    """ref -> refs that must be done first, among the given changes: a parent made in the same
    plan, the previous sibling (Intercom shows siblings in creation order), and for a delete of
    a collection whatever leaves it first (its deleted children, what moves out)."""
    changes = list(changes)
    refs = {c.ref for c in changes}
    deps: dict[str, set[str]] = {c.ref: set() for c in changes}
    for c in changes:
        for ref in (c.parent_ref, c.after_ref, c.target_ref, *c.links.values()):
            if ref and ref in refs and ref != c.ref:
                deps[c.ref].add(ref)
        old_parent = c.parent_id if c.action == "delete" else c.old_parent_id
        parent_delete = f"collection:{old_parent}"
        if old_parent and parent_delete in refs:
            deps[parent_delete].add(c.ref)
    return deps


def apply_plan(
    plan: Plan,
    client: Client,
    *,
    parallelism: int = 8,
    known_ids: Iterable[str] = (),
    on_result: Callable[[ActionResult], None] = lambda result: None,
    stop: threading.Event | None = None,
) -> ApplyReport:
    """Run the plan. `known_ids`: ids live when the plan was checked (never adopted)."""
    run = _Run(client, parallelism, set(known_ids), on_result, stop or threading.Event())
    phases = [
        [c for c in plan.changes if c.action != "delete"],
        [c for c in plan.changes if c.action == "delete"],
    ]
    with existing_objects_frozen():
        for phase in phases:
            if run.halted:
                run.skip(phase, "an earlier action failed" if run.failed else "stopped")
            else:
                run.phase(phase)
    order = {c.ref: i for i, c in enumerate(plan.changes)}
    run.report.results.sort(key=lambda r: order[r.change.ref])
    run.report.interrupted = run.stop.is_set()
    return run.report


def _chain_lengths(
    changes: list[Change], deps: Mapping[str, set[str]], unlocks: Mapping[str, list[Change]]
) -> dict[str, int]:
    """ref -> the most changes that must run one after another from it on, itself included
    (without recursion: a chain of siblings can be thousands long)."""
    left = {c.ref: len(deps[c.ref]) for c in changes}
    free = [c for c in changes if not deps[c.ref]]
    order: list[Change] = []
    while free:
        change = free.pop()
        order.append(change)
        for later in unlocks[change.ref]:
            left[later.ref] -= 1
            if not left[later.ref]:
                free.append(later)
    length: dict[str, int] = {}
    for change in reversed(order):
        after = (length.get(later.ref, 0) for later in unlocks[change.ref])
        length[change.ref] = 1 + max(after, default=0)
    return length


class _Run:
    def __init__(
        self,
        client: Client,
        parallelism: int,
        known_ids: set[str],
        on_result: Callable[[ActionResult], None],
        stop: threading.Event,
    ) -> None:
        self.client = client
        self.parallelism = max(1, parallelism)
        self.known = known_ids
        self.lock = threading.Lock()
        self.on_result = on_result
        self.stop = stop
        self.created: dict[str, str] = {}
        self.report = ApplyReport()
        self.failed = False

    @property
    def halted(self) -> bool:
        return self.failed or self.stop.is_set()

    def record(self, result: ActionResult) -> None:
        self.report.results.append(result)
        self.on_result(result)

    def skip(self, changes: Iterable[Change], why: str) -> None:
        for change in changes:
            self.record(ActionResult(change, "not run", detail=why))

    def phase(self, changes: list[Change]) -> None:
        """Workers take the next ready change themselves the moment they finish one, and
        report each result under a lock (no hand-off to another thread per request); this
        thread only waits, staying responsive to Ctrl-C.

        Of the ready changes, the one with the longest chain of changes waiting on it goes
        first, then plan order: the chain decides when the phase can end. First come, first
        served let the 60 collections of a 60 x 10 tree, each waiting for the one before
        it, queue behind sections: 89 round trips at parallelism 8 against 86 this way, for
        660 changes whose floor is 82.5. One worker cannot finish sooner in any order, so
        it keeps the plan's: what was done before a failure is the plan up to it."""
        deps = dependencies(changes)
        waiting = {c.ref: set(deps[c.ref]) for c in changes}
        unlocks: dict[str, list[Change]] = {c.ref: [] for c in changes}
        for c in changes:
            for ref in deps[c.ref]:
                unlocks[ref].append(c)
        if self.parallelism > 1:
            chain = _chain_lengths(changes, deps, unlocks)
        else:
            chain = dict.fromkeys(deps, 0)
        position = {c.ref: i for i, c in enumerate(changes)}
        ready = [(-chain[c.ref], position[c.ref], c) for c in changes if not deps[c.ref]]
        heapq.heapify(ready)
        started: set[str] = set()
        turn = threading.Condition()
        reporting = threading.Lock()
        busy = 0

        def work() -> None:
            nonlocal busy
            while True:
                with turn:
                    while not ready and busy and not self.halted:
                        turn.wait()
                    if self.halted or not ready:
                        turn.notify_all()
                        return
                    change = heapq.heappop(ready)[2]
                    started.add(change.ref)
                    busy += 1
                result = self.execute(change)
                with turn:
                    busy -= 1
                    if result.status == "done":
                        for later in unlocks[change.ref]:
                            waiting[later.ref].discard(change.ref)
                            if not waiting[later.ref]:
                                entry = (-chain[later.ref], position[later.ref], later)
                                heapq.heappush(ready, entry)
                    else:
                        self.failed = True
                    turn.notify_all()
                with reporting:
                    self.record(result)

        workers = [
            threading.Thread(target=work, name=f"apply-{i}", daemon=True)
            for i in range(min(self.parallelism, len(changes)))
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            while worker.is_alive():
                worker.join(0.1)
                if self.stop.is_set():
                    with turn:
                        turn.notify_all()
        why = "an earlier action failed" if self.failed else "stopped"
        self.skip([c for c in changes if c.ref not in started], why)

    def execute(self, change: Change) -> ActionResult:
        if change.refused:
            return ActionResult(change, "failed", change.id, change.refused)
        try:
            if change.action == "create":
                return self.create(change)
            if change.action == "update":
                return self.update(change)
            return self.delete(change)
        except ContentsyncError as exc:
            return ActionResult(change, "failed", change.id, str(exc))
        except Exception as exc:  # a bug: still reported with everything else, never lost
            return ActionResult(change, "failed", change.id, f"internal error: {exc!r}")

    def parent_of(self, change: Change) -> str | None:
        if change.parent_ref is not None:
            return self.created[change.parent_ref]
        return change.parent_id

    def links_of(self, change: Change) -> dict[str, str]:
        """Link target file -> its article id, '' when it is not made (yet)."""
        with self.lock:
            return {
                p: self.created.get(t, t if t.isdigit() else "") for p, t in change.links.items()
            }

    def body_of(self, change: Change, parent_id: str | None) -> dict[str, Any]:
        version = self.client.api_version
        if change.kind == "article":
            links = self.links_of(change)
            return article_body(change, version, parent_id=parent_id, links=links)
        return request_body(change, version, parent_id=parent_id)

    def create(self, change: Change) -> ActionResult:
        parent_id = self.parent_of(change)
        version = self.client.api_version
        body = self.body_of(change, parent_id)
        if change.kind == "article":
            send = self.client.create_article
        elif is_section(change, version):
            send = self.client.create_section
        else:
            send = self.client.create_collection
        for _ in range(CREATE_ATTEMPTS):
            try:
                new_id = str(send(body)["id"])
                detail = ""
            except OutcomeUnknown:
                adopted = self.adopt(change, parent_id)
                if adopted is None:
                    continue  # provably not made: sending again cannot duplicate it
                new_id, detail = adopted, "the connection failed, but it was made: kept it"
            with self.lock:
                self.known.add(new_id)
                self.created[change.ref] = new_id
            return ActionResult(change, "done", new_id, detail)
        raise OutcomeUnknown(
            f"create {change.label}: outcome unknown after {CREATE_ATTEMPTS} attempts"
        )

    def adopt(self, change: Change, parent_id: str | None) -> str | None:
        """The object this create made, if Intercom has it: same name, same place, and not
        there when the plan was checked."""
        if change.kind == "article":
            return self.adopt_article(change, parent_id)
        section = is_section(change, self.client.api_version)
        listed = self.client.list_sections() if section else self.client.list_collections()
        for c in map(live.collection, listed):
            same_place = (
                c.parent_id == parent_id
                if parent_id is not None
                else c.parent_id is None and c.help_center_id == change.help_center_id
            )
            if same_place and c.key == change.name:
                with self.lock:
                    if c.id not in self.known:
                        return c.id
        return None

    def adopt_article(self, change: Change, parent_id: str | None) -> str | None:
        """Intercom lists the newest articles first: a create that happened is on page one."""
        for a in map(live.article, self.client.list_recent_articles()):
            if a.key == change.name and a.parent_id == parent_id:
                with self.lock:
                    if a.id not in self.known:
                        return a.id
        return None

    def update(self, change: Change) -> ActionResult:
        if change.target_ref is not None:  # a second update of what this plan made
            change = replace(change, id=self.created[change.target_ref])
        assert change.id is not None
        version = self.client.api_version
        body = self.body_of(change, self.parent_of(change))
        if change.kind == "article":
            answer = self.client.update_article(change.id, body)
            if canonical(str(answer.get("body") or "")) != canonical(body["body"]):
                return ActionResult(
                    change,
                    "failed",
                    change.id,
                    "Intercom kept the old text: the article has unpublished changes in "
                    "Intercom's editor (publish or discard them, then apply again)",
                )
        elif is_section(change, version):
            self.client.update_section(change.id, body)
        else:
            self.client.update_collection(change.id, body)
        return ActionResult(change, "done", change.id)

    def delete(self, change: Change) -> ActionResult:
        assert change.id is not None
        section = is_section(change, self.client.api_version)
        if change.kind == "article":
            send = self.client.delete_article
        else:
            send = self.client.delete_section if section else self.client.delete_collection
        try:
            send(change.id)
        except NotFound:
            return ActionResult(change, "done", change.id, "already gone")
        return ActionResult(change, "done", change.id)
