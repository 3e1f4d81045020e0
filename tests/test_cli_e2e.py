"""The core loop as a user runs it: real YAML on disk, the real CLI, the sandbox over HTTP."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from benchmarks.generate import write_help_center
from contentsync.sandbox import SANDBOX_TOKEN, running_sandbox
from tests.clirun import Result, run

EXAMPLE = Path(__file__).resolve().parents[1] / "content"
# The example's collection folders (sections are their child folders).
GETTING_STARTED = "1-getting-started"
BILLING = "3-billing"
INTEGRATIONS = "4-integrations"
TROUBLESHOOTING = "5-troubleshooting"
# The example's article authors: a sandbox reached by URL knows only the admins it is given.
AUTHORS = ("docs@acme.example", "billing@acme.example")
WARNING = re.compile(r"^\S+:\d+:\d+: warning: ")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "content")
    return tmp_path


def cs(project: Path, *args: str, **kw: object) -> Result:
    return run("--sandbox", *args, cwd=project, **kw)  # type: ignore[arg-type]


def collection_file(project: Path, *folders: str) -> Path:
    """The _collection.yaml of a folder of the example help center."""
    return project.joinpath("content", "acme-help", *folders, "_collection.yaml")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def unlink_troubleshooting(project: Path) -> None:
    """Remove the one link into Troubleshooting, as a writer must before deleting it (a link
    to a missing file is a validate error)."""
    edit(
        project / "content" / "acme-help" / GETTING_STARTED / "2-install-the-app"
        / "install-on-windows.md",
        "Stuck? See [sync errors](../../5-troubleshooting/1-sync-errors/sync-error-codes.md).",
        "Stuck? Ask support.",
    )  # fmt: skip


def relink(folder: Path, old: str, new: str) -> None:
    """Point the links of every article file in folder that start with `old` to `new`."""
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(f"]({old}", f"]({new}"), encoding="utf-8")


def errors_only(err: str) -> list[str]:
    """stderr without the warnings the example's tables always raise."""
    return [line for line in err.splitlines() if not WARNING.match(line)]


@pytest.fixture
def applied(project: Path) -> Path:
    result = cs(project, "apply", "--auto-approve")
    assert result.code == 0, result.output
    return project


@pytest.fixture
def live(project: Path) -> Iterator[httpx.Client]:
    """A second door into the same sandbox state, to change 'Intercom' behind our back."""

    class Door:
        def __enter__(self) -> httpx.Client:
            self.sb = running_sandbox(project / ".contentsync" / "sandbox.json", ["acme-help"])
            box = self.sb.__enter__()
            self.client = httpx.Client(
                base_url=box.url,
                headers={"Authorization": f"Bearer {SANDBOX_TOKEN}", "Intercom-Version": "2.9"},
            )
            return self.client

        def __exit__(self, *exc: object) -> None:
            self.client.close()
            self.sb.__exit__(None, None, None)

    yield Door()  # type: ignore[misc]


def plan_is_empty(project: Path) -> None:
    result = cs(project, "plan", "--detailed-exitcode")
    assert result.code == 0, result.output
    assert "No changes." in result.out


def test_create_from_nothing_then_no_changes(project: Path) -> None:
    first = cs(project, "plan", "--detailed-exitcode")
    assert first.code == 2, first.output
    # 19 collections and 5 articles; two articles link to each other, so one of them gets
    # its links by a second update once both exist
    assert "Plan: 24 to create, 1 to update, 0 to delete." in first.out
    assert "+ create collection Getting started" in first.out
    assert 'translations.zh-CN.name: "入门指南"' in first.out
    applied = cs(project, "apply", "--auto-approve")
    assert applied.code == 0, applied.output
    assert "25 done, 0 failed, 0 not run" in applied.out
    plan_is_empty(project)


def test_edits_of_name_description_and_translations(applied: Path) -> None:
    edit(
        collection_file(applied, GETTING_STARTED),
        "description: Everything you need on day one with Acme.",
        "description: Day one.",
    )
    edit(
        collection_file(applied, GETTING_STARTED, "2-install-the-app"),
        "name: Installer l'application",
        "name: Installation",
    )
    invite = collection_file(applied, GETTING_STARTED, "3-invite-your-team")
    edit(invite, "name: Invite your team", "name: Invite teammates")
    result = cs(applied, "plan")
    assert result.code == 0, result.output
    assert "~ update collection Getting started (" in result.out
    assert 'description: "Everything you need on day one with Acme." -> "Day one."' in result.out
    assert "~ update collection Getting started / Install the app (" in result.out
    assert 'translations.fr.name: "Installer l\'application" -> "Installation"' in result.out
    # An unpinned rename whose translations did not change is one update, with its evidence.
    assert "~ update collection Getting started / Invite teammates (" in result.out
    assert 'name: "Invite your team" -> "Invite teammates"' in result.out
    assert (
        "renamed: 'Invite your team' -> 'Invite teammates' (same parent, fr and pt-BR unchanged)"
        in result.out
    )
    assert "Plan: 0 to create, 3 to update, 0 to delete." in result.out
    assert cs(applied, "apply", "--auto-approve").code == 0
    plan_is_empty(applied)


def test_exact_plans_a_rename_as_delete_and_create(applied: Path) -> None:
    invite = collection_file(applied, GETTING_STARTED, "3-invite-your-team")
    edit(invite, "name: Invite your team", "name: Invite teammates")
    result = cs(applied, "plan", "--exact")
    assert result.code == 0, result.output
    assert "- delete collection Getting started / Invite your team (" in result.out
    assert "+ create collection Getting started / Invite teammates" in result.out
    assert "renamed" not in result.out
    assert cs(applied, "apply", "--auto-approve", "--exact").code == 0
    plan_is_empty(applied)


def test_locale_added_and_removed(applied: Path) -> None:
    """German is one of the help center's `locales:` that Integrations has no text in yet."""
    path = collection_file(applied, INTEGRATIONS)
    edit(path, "  zh-TW:\n    name: 整合\n", "  de:\n    name: Integrationen\n")
    result = cs(applied, "plan")
    assert 'translations.de.name: (none) -> "Integrationen"' in result.out, result.out
    assert 'translations.zh-TW.name: "整合" -> (none)' in result.out
    assert cs(applied, "apply", "--auto-approve").code == 0
    plan_is_empty(applied)


def test_a_language_added_to_locales_can_be_used_in_the_embedded_sandbox(applied: Path) -> None:
    edit(applied / "content" / "acme-help" / "_help_center.yaml", "zh-TW, ja", "zh-TW, ja, ko")
    edit(collection_file(applied, INTEGRATIONS), "  zh-TW:\n", "  ko:\n    name: 통합\n  zh-TW:\n")
    result = cs(applied, "apply", "--auto-approve")
    assert result.code == 0, result.output
    plan_is_empty(applied)


def test_pinned_section_moves_between_collections(
    applied: Path, tmp_path: Path, live: object
) -> None:
    """Against a sandbox reached by URL, which honours pins (the embedded one ignores them)."""
    exported = tmp_path / "exported"
    result = run("--sandbox", "export", "--out", str(exported), cwd=applied)
    assert result.code == 0, result.output
    shutil.rmtree(applied / "content")
    shutil.copytree(exported, applied / "content")
    hc = applied / "content" / "acme-help"
    refunds = hc / "3-billing-and-plans" / "3-refunds"
    assert "id: '" in (refunds / "_collection.yaml").read_text(encoding="utf-8")
    edit(refunds / "_collection.yaml", "name: Refunds", "name: Money back")
    refunds.rename(hc / "5-troubleshooting" / "3-money-back")
    relink(hc / "3-billing-and-plans" / "2-payment-methods", "../3-refunds/",
           "../../5-troubleshooting/3-money-back/")  # fmt: skip
    relink(hc / "5-troubleshooting" / "3-money-back", "../2-payment-methods/",
           "../../3-billing-and-plans/2-payment-methods/")  # fmt: skip
    token = {"INTERCOM_ACCESS_TOKEN": SANDBOX_TOKEN}
    with live as api:  # type: ignore[attr-defined]
        url = str(api.base_url)
        result = run("--api-url", url, "plan", cwd=applied, env=token)
        assert result.code == 0, result.output
        assert "~ update collection Troubleshooting / Money back (" in result.out, result.out
        assert 'parent: "Billing and plans (' in result.out
        assert 'name: "Refunds" -> "Money back"' in result.out
        assert "Plan: 0 to create, 1 to update, 0 to delete." in result.out
        applied_run = run("--api-url", url, "apply", "--auto-approve", cwd=applied, env=token)
        assert applied_run.code == 0, applied_run.output
        again = run("--api-url", url, "plan", "--detailed-exitcode", cwd=applied, env=token)
        assert again.code == 0, again.output


def test_unpinned_section_cut_and_paste_is_a_move(applied: Path) -> None:
    """The section moves with its article; the links between the moved article and the one
    left behind are fixed by the writer, and still name the same articles: no body change."""
    hc = applied / "content" / "acme-help"
    (hc / BILLING / "3-refunds").rename(hc / TROUBLESHOOTING / "3-refunds")
    relink(
        hc / BILLING / "2-payment-methods", "../3-refunds/", "../../5-troubleshooting/3-refunds/"
    )
    relink(hc / TROUBLESHOOTING / "3-refunds", "../2-payment-methods/",
           "../../3-billing/2-payment-methods/")  # fmt: skip
    result = cs(applied, "plan")
    assert result.code == 0, result.output
    assert "~ update collection Troubleshooting / Refunds (" in result.out, result.out
    assert 'parent: "Billing and plans (' in result.out
    assert "moved (es and fr unchanged, same name)" in result.out
    assert "Plan: 0 to create, 1 to update, 0 to delete." in result.out
    assert cs(applied, "apply", "--auto-approve").code == 0
    plan_is_empty(applied)


def test_collection_and_section_deleted(applied: Path) -> None:
    unlink_troubleshooting(applied)
    shutil.rmtree(applied / "content" / "acme-help" / TROUBLESHOOTING)
    shutil.rmtree(applied / "content" / "acme-help" / INTEGRATIONS / "2-salesforce")
    result = cs(applied, "plan")
    lines = result.out.splitlines()
    order = [i for i, line in enumerate(lines) if line.strip().startswith("- delete")]
    deleted = [lines[i].strip() for i in order]
    assert deleted[-1].startswith("- delete collection Troubleshooting ("), deleted
    assert any("Integrations / Salesforce" in d for d in deleted)
    assert any(d.startswith("- delete article Troubleshooting / Sync errors / Sync error codes (")
               for d in deleted)  # fmt: skip
    assert "~ update article Getting started / Install the app / Install Acme on Windows" in (
        result.out
    )  # the link into Troubleshooting removed
    assert "Plan: 0 to create, 1 to update, 5 to delete." in result.out
    # what a deleted collection still holds is said (its sections and articles go with it)
    assert "still holds 2 collections, deleted with it: 'Notifications', 'Sync errors'" in (
        result.out
    )
    assert "still holds 1 article, deleted with it: 'Sync error codes'" in result.out
    assert cs(applied, "apply", "--auto-approve").code == 0
    plan_is_empty(applied)


def test_ambiguous_live_names_are_refused_with_ids(applied: Path, live: object) -> None:
    with live as api:  # type: ignore[attr-defined]
        hcs = api.get("/help_center/help_centers").json()["data"]
        created = api.post(
            "/help_center/collections",
            json={"name": "Billing and plans", "help_center_id": int(hcs[0]["id"])},
        )
        assert created.status_code == 200, created.text
    result = cs(applied, "plan")
    assert result.code == 1
    assert "content/acme-help/3-billing/_collection.yaml:2:7" in result.err
    assert "2 live collections in this help center are named 'Billing and plans'" in result.err
    assert created.json()["id"] in result.err
    assert "Traceback" not in result.output


def test_stale_plan_is_refused_when_content_or_live_changes(applied: Path, live: object) -> None:
    refunds = collection_file(applied, BILLING, "3-refunds")
    edit(refunds, "name: Refunds", "name: Money back")
    assert cs(applied, "plan", "--out", "plan.json").code == 0
    edit(refunds, "name: Money back", "name: Refund")
    result = cs(applied, "apply", "plan.json")
    assert result.code == 1 and "stale plan" in result.err, result.output

    edit(refunds, "name: Refund", "name: Money back")
    assert cs(applied, "plan", "--out", "plan.json").code == 0
    with live as api:  # type: ignore[attr-defined]
        # the renamed section's parent changed in Intercom since the plan was made
        billing = next(
            c
            for c in api.get("/help_center/collections").json()["data"]
            if c["name"] == "Billing and plans"
        )
        assert api.put(f"/help_center/collections/{billing['id']}", json={"name": "X"}).is_success
    result = cs(applied, "apply", "plan.json")
    assert result.code == 1 and "stale plan" in result.err, result.output
    assert "live help center changed" in result.err


def test_saved_plan_is_not_stale_after_an_unrelated_live_edit(applied: Path, live: object) -> None:
    """A typo fixed in Intercom's editor elsewhere must not stale every open pull request."""
    edit(collection_file(applied, BILLING, "3-refunds"), "name: Refunds", "name: Money back")
    assert cs(applied, "plan", "--out", "plan.json").code == 0
    with live as api:  # type: ignore[attr-defined]
        other = next(
            c
            for c in api.get("/help_center/collections").json()["data"]
            if c["name"] == "Integrations"
        )
        assert api.put(
            f"/help_center/collections/{other['id']}", json={"description": "Fixed a typo."}
        ).is_success
    result = cs(applied, "apply", "plan.json")
    assert result.code == 0, result.output
    assert "1 done, 0 failed, 0 not run" in result.out


def test_saved_plan_applies_exactly(applied: Path) -> None:
    edit(collection_file(applied, BILLING, "3-refunds"), "name: Refunds", "name: Money back")
    made = cs(applied, "plan", "--out", "plan.json")
    assert made.code == 0 and "apply plan.json" in made.err
    data = json.loads((applied / "plan.json").read_text())
    # a rename with its translations unchanged is one update (with --exact: delete + create)
    assert data["format_version"] == 3 and data["summary"] == {
        "create": 0, "update": 1, "delete": 0,
    }  # fmt: skip
    result = cs(applied, "apply", "plan.json")
    assert result.code == 0, result.output
    plan_is_empty(applied)


def test_mass_delete_is_refused_unless_allowed(applied: Path) -> None:
    unlink_troubleshooting(applied)
    for name in (BILLING, INTEGRATIONS, TROUBLESHOOTING):
        shutil.rmtree(applied / "content" / "acme-help" / name)
    result = cs(applied, "apply", "--auto-approve")
    assert result.code == 1
    assert "--allow-mass-delete" in result.err
    assert "No changes" not in result.out
    still = cs(applied, "plan", "--detailed-exitcode")
    assert still.code == 2  # nothing was deleted
    allowed = cs(applied, "apply", "--auto-approve", "--allow-mass-delete")
    assert allowed.code == 0, allowed.output
    plan_is_empty(applied)


def test_apply_without_terminal_or_approval_refuses(project: Path) -> None:
    result = cs(project, "apply")
    assert result.code == 1
    assert "--auto-approve" in result.err
    assert cs(project, "plan", "--detailed-exitcode").code == 2  # nothing applied


def test_export_round_trip_validates_and_plans_clean(applied: Path, tmp_path: Path) -> None:
    out = tmp_path / "exported"
    result = run("--sandbox", "export", "--out", str(out), cwd=applied)
    assert result.code == 0, result.output
    assert run("--content", str(out), "validate", cwd=applied).code == 0
    folders = sorted(p.name for p in (out / "acme-help").iterdir() if p.is_dir())
    assert folders == [
        "1-getting-started", "2-account-and-security", "3-billing-and-plans", "4-integrations",
        "5-troubleshooting",
    ]  # fmt: skip
    text = (out / "acme-help" / "1-getting-started" / "_collection.yaml").read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert "id: '" in text
    section = out / "acme-help" / "1-getting-started" / "2-install-the-app" / "_collection.yaml"
    assert "name: Install the app" in section.read_text(encoding="utf-8")
    clean = run("--sandbox", "--content", str(out), "plan", "--detailed-exitcode", cwd=applied)
    assert clean.code == 0, clean.output
    again = run("--sandbox", "export", "--out", str(out), cwd=applied)
    assert again.code == 1 and "already holds content files" in again.err


def test_markdown_and_step_summary(project: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    result = cs(project, "plan", "--format", "markdown", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.code == 0
    assert result.out.startswith("## contentsync plan")
    assert "| ➕ create | collection **Getting started**" in result.out
    assert summary.read_text(encoding="utf-8").startswith("## contentsync plan")


def test_against_a_server_with_a_token(project: Path) -> None:
    with running_sandbox(None, ["acme-help"], admins=AUTHORS) as sb:
        token = {"INTERCOM_ACCESS_TOKEN": SANDBOX_TOKEN}
        plan = run("--api-url", sb.url, "plan", "--detailed-exitcode", cwd=project, env=token)
        assert plan.code == 2, plan.output
        apply = run("--api-url", sb.url, "apply", "--auto-approve", cwd=project, env=token)
        assert apply.code == 0, apply.output
        again = run("--api-url", sb.url, "plan", "--detailed-exitcode", cwd=project, env=token)
        assert again.code == 0, again.output

        wrong = run("--api-url", sb.url, "plan", cwd=project, env={"INTERCOM_ACCESS_TOKEN": "x"})
        assert wrong.code == 1 and "401" in wrong.err, wrong.output
        missing = run("--api-url", sb.url, "plan", cwd=project, env={"INTERCOM_ACCESS_TOKEN": ""})
        assert missing.code == 1 and "INTERCOM_ACCESS_TOKEN is not set" in missing.err

        write_help_center(project / "content", "ghost-help", {"x": {"name": "X"}})
        unknown = run("--api-url", sb.url, "plan", cwd=project, env=token)
        assert unknown.code == 1
        assert "help center 'ghost-help' does not exist in Intercom" in unknown.err
        assert "Traceback" not in unknown.output


def test_exported_pins_do_not_tie_the_content_to_one_workspace(
    project: Path, tmp_path: Path
) -> None:
    """Content exported from one workspace (ids pinned) plans against another: the embedded
    sandbox ignores pins, a staging workspace needs --ignore-pins, and without it each pin
    that is not live is an error at its line."""
    token = {"INTERCOM_ACCESS_TOKEN": SANDBOX_TOKEN}
    exported = tmp_path / "exported"
    with running_sandbox(None, ["acme-help"], admins=AUTHORS) as production:
        url = production.url
        assert run("--api-url", url, "apply", "--auto-approve", cwd=project, env=token).code == 0
        done = run("--api-url", url, "export", "--out", str(exported), cwd=project, env=token)
        assert done.code == 0, done.output
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(exported, elsewhere / "content")

    embedded = cs(elsewhere, "plan", "--detailed-exitcode")
    assert embedded.code == 2, embedded.output
    assert "Plan: 24 to create, 1 to update, 0 to delete." in embedded.out
    with running_sandbox(None, ["acme-help"], admins=AUTHORS) as staging:
        refused = run("--api-url", staging.url, "plan", cwd=elsewhere, env=token)
        assert refused.code == 1
        assert re.search(
            r"_collection\.yaml:\d+:\d+: id: collection \d+ does not exist in Intercom", refused.err
        ), refused.err
        ignored = run("--api-url", staging.url, "--ignore-pins", "apply", "--auto-approve",
                      cwd=elsewhere, env=token)  # fmt: skip
        assert ignored.code == 0, ignored.output
        again = run("--api-url", staging.url, "--ignore-pins", "plan", "--detailed-exitcode",
                    cwd=elsewhere, env=token)  # fmt: skip
        assert again.code == 0, again.output


def test_a_help_center_in_another_default_locale_settles(tmp_path: Path) -> None:
    """The embedded sandbox takes the content's default locale; the English text stays English,
    the next plan is empty, and content that then claims another default is refused."""
    tree = {
        "premiers-pas": {
            "name": "Premiers pas",
            "translations": {"en": {"name": "Getting started"}},
            "children": {
                "installer": {"name": "Installer", "translations": {"en": {"name": "Install"}}}
            },
        }
    }
    folder = write_help_center(tmp_path / "content", "aide", tree, {"default_locale": "fr"})
    applied = cs(tmp_path, "apply", "--auto-approve")
    assert applied.code == 0, applied.output
    plan_is_empty(tmp_path)
    state = json.loads((tmp_path / ".contentsync" / "sandbox.json").read_text(encoding="utf-8"))
    [collection] = (c for c in state["collections"].values() if c["parent_id"] is None)
    assert collection["translations"]["en"]["name"] == "Getting started"
    assert collection["translations"]["fr"]["name"] == "Premiers pas"

    (folder / "_help_center.yaml").write_text("default_locale: de\n", encoding="utf-8")
    refused = cs(tmp_path, "plan")
    assert refused.code == 1
    assert refused.err.startswith("content/aide/_help_center.yaml:1:17: default_locale is 'de'")


def test_a_plan_file_that_cannot_be_written_is_a_sentence(project: Path) -> None:
    result = cs(project, "plan", "--out", str(project / "missing" / "plan.json"))
    assert result.code == 1
    assert result.err.strip().endswith(
        f"error: {project / 'missing' / 'plan.json'}: No such file or directory"
    )
    assert "internal error" not in result.err


@pytest.mark.parametrize("text", ['{"x": 1}', "[]", "{not json", "\udcff"])
def test_a_damaged_sandbox_state_file_is_a_sentence(project: Path, text: str) -> None:
    state = project / ".contentsync" / "sandbox.json"
    state.parent.mkdir()
    state.write_bytes(text.encode("utf-8", "surrogateescape"))
    result = cs(project, "plan")
    assert result.code == 1
    assert errors_only(result.err) == [
        f"error: {state} is not a contentsync sandbox state file: delete it to start from an "
        "empty sandbox"
    ]


def test_apply_says_in_the_job_summary_when_it_changes_nothing(
    applied: Path, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    assert cs(applied, "apply", "--auto-approve", env=env).code == 0
    assert "**No changes." in summary.read_text(encoding="utf-8")

    summary.unlink()
    unlink_troubleshooting(applied)
    for name in (BILLING, INTEGRATIONS, TROUBLESHOOTING):
        shutil.rmtree(applied / "content" / "acme-help" / name)
    assert cs(applied, "apply", "--auto-approve", env=env).code == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## contentsync plan")
    assert "## contentsync apply refused" in text and "--allow-mass-delete" in text
