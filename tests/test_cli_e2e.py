"""The core loop as a user runs it: real YAML on disk, the real CLI, the sandbox over HTTP."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from contentsync.sandbox import SANDBOX_TOKEN, running_sandbox
from tests.clirun import Result, run

EXAMPLE = Path(__file__).resolve().parents[1] / "content"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "content")
    return tmp_path


def cs(project: Path, *args: str, **kw: object) -> Result:
    return run("--sandbox", *args, cwd=project, **kw)  # type: ignore[arg-type]


def write(project: Path, name: str, text: str) -> Path:
    path = project / "content" / "acme-help" / name
    path.write_text(text, encoding="utf-8")
    return path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


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
    assert "Plan: 19 to create, 0 to update, 0 to delete." in first.out
    assert "+ create collection Getting started" in first.out
    assert 'translations.zh-CN.name: "入门指南"' in first.out
    applied = cs(project, "apply", "--auto-approve")
    assert applied.code == 0, applied.output
    assert "19 done, 0 failed, 0 not run" in applied.out
    plan_is_empty(project)


def test_edits_of_name_description_and_translations(applied: Path) -> None:
    path = applied / "content" / "acme-help" / "getting-started.yaml"
    edit(path, "description: Everything you need on day one with Acme.", "description: Day one.")
    edit(path, "fr: {name: Installer l'application}", "fr: {name: Installation}")
    edit(path, "  - name: Invite your team", "  - name: Invite teammates")
    result = cs(applied, "plan")
    assert result.code == 0, result.output
    assert "~ update collection Getting started" in result.out
    assert 'description: "Everything you need on day one with Acme." -> "Day one."' in result.out
    assert 'translations.fr.name: "Installer l\'application" -> "Installation"' in result.out
    # An unpinned rename is a delete + create, flagged with the hint to pin.
    assert "- delete section Getting started / Invite your team" in result.out
    assert "+ create section Getting started / Invite teammates" in result.out
    assert "looks like a rename" in result.out
    assert cs(applied, "apply", "--auto-approve").code == 0
    plan_is_empty(applied)


def test_locale_added_and_removed(applied: Path) -> None:
    path = applied / "content" / "acme-help" / "integrations.yaml"
    edit(path, "  zh-TW:\n    name: 整合\n", "  ko:\n    name: 통합\n")
    result = cs(applied, "plan")
    assert 'translations.ko.name: (none) -> "통합"' in result.out, result.out
    assert 'translations.zh-TW.name: "整合" -> (none)' in result.out
    assert cs(applied, "apply", "--auto-approve").code == 0
    plan_is_empty(applied)


def test_pinned_section_moves_between_collections(applied: Path, tmp_path: Path) -> None:
    exported = tmp_path / "exported"
    result = run("--sandbox", "export", "--out", str(exported), cwd=applied)
    assert result.code == 0, result.output
    shutil.rmtree(applied / "content")
    shutil.copytree(exported, applied / "content")
    plan_is_empty(applied)
    billing = applied / "content" / "acme-help" / "billing-and-plans.yaml"
    trouble = applied / "content" / "acme-help" / "troubleshooting.yaml"
    text = billing.read_text(encoding="utf-8")
    start = text.index("- id:", text.index("name: Refunds") - 40)
    block = text[start:]
    billing.write_text(text[:start], encoding="utf-8")
    trouble.write_text(trouble.read_text(encoding="utf-8") + block, encoding="utf-8")
    result = cs(applied, "plan")
    assert "~ update section Troubleshooting / Refunds" in result.out, result.out
    assert "parent: " in result.out
    assert "delete" not in result.out.split("Plan:")[0].replace("to delete", "")
    assert cs(applied, "apply", "--auto-approve").code == 0
    plan_is_empty(applied)


def test_collection_and_section_deleted(applied: Path) -> None:
    (applied / "content" / "acme-help" / "troubleshooting.yaml").unlink()
    edit(applied / "content" / "acme-help" / "integrations.yaml", "  - name: Salesforce\n", "")
    result = cs(applied, "plan")
    lines = result.out.splitlines()
    order = [i for i, line in enumerate(lines) if line.strip().startswith("- delete")]
    deleted = [lines[i].strip() for i in order]
    assert deleted[-1].startswith("- delete collection Troubleshooting"), deleted
    assert any("Integrations / Salesforce" in d for d in deleted)
    assert "articles" in result.out  # the undocumented-behaviour warning
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
    assert "content/acme-help/billing.yaml:2:7" in result.err
    assert "live collections in help center 'acme-help' are named 'Billing and plans'" in result.err
    assert created.json()["id"] in result.err
    assert "Traceback" not in result.output


def test_stale_plan_is_refused_when_content_or_live_changes(applied: Path, live: object) -> None:
    edit(applied / "content" / "acme-help" / "billing.yaml", "name: Refunds", "name: Money back")
    assert cs(applied, "plan", "--out", "plan.json").code == 0
    edit(applied / "content" / "acme-help" / "billing.yaml", "name: Money back", "name: Refund")
    result = cs(applied, "apply", "plan.json")
    assert result.code == 1 and "stale plan" in result.err, result.output

    edit(applied / "content" / "acme-help" / "billing.yaml", "name: Refund", "name: Money back")
    assert cs(applied, "plan", "--out", "plan.json").code == 0
    with live as api:  # type: ignore[attr-defined]
        some = api.get("/help_center/collections").json()["data"][0]
        assert api.put(f"/help_center/collections/{some['id']}", json={"name": "X"}).is_success
    result = cs(applied, "apply", "plan.json")
    assert result.code == 1 and "stale plan" in result.err, result.output
    assert "live help center changed" in result.err


def test_saved_plan_applies_exactly(applied: Path) -> None:
    edit(applied / "content" / "acme-help" / "billing.yaml", "name: Refunds", "name: Money back")
    made = cs(applied, "plan", "--out", "plan.json")
    assert made.code == 0 and "apply plan.json" in made.err
    data = json.loads((applied / "plan.json").read_text())
    assert data["format_version"] == 1 and data["summary"] == {
        "create": 1, "update": 0, "delete": 1,
    }  # fmt: skip
    result = cs(applied, "apply", "plan.json")
    assert result.code == 0, result.output
    plan_is_empty(applied)


def test_mass_delete_is_refused_unless_allowed(applied: Path) -> None:
    for name in ("billing.yaml", "integrations.yaml", "troubleshooting.yaml"):
        (applied / "content" / "acme-help" / name).unlink()
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
    text = (out / "acme-help" / "getting-started.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert "id: '" in text
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
    with running_sandbox(None, ["acme-help"]) as sb:
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

        ghost = project / "content" / "ghost-help"
        ghost.mkdir()
        (ghost / "x.yaml").write_text("name: X\n", encoding="utf-8")
        unknown = run("--api-url", sb.url, "plan", cwd=project, env=token)
        assert unknown.code == 1
        assert "help center 'ghost-help' does not exist in Intercom" in unknown.err
        assert "Traceback" not in unknown.output


def test_a_help_center_in_another_default_locale_settles(tmp_path: Path) -> None:
    """The embedded sandbox takes the content's default locale; the English text stays English,
    the next plan is empty, and content that then claims another default is refused."""
    folder = tmp_path / "content" / "aide"
    folder.mkdir(parents=True)
    (folder / "_help_center.yaml").write_text("default_locale: fr\n", encoding="utf-8")
    (folder / "premiers-pas.yaml").write_text(
        "name: Premiers pas\n"
        "translations:\n"
        "  en: {name: Getting started}\n"
        "sections:\n"
        "  - name: Installer\n"
        "    translations: {en: {name: Install}}\n",
        encoding="utf-8",
    )
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
    assert result.err.strip() == (
        f"error: {state} is not a contentsync sandbox state file: delete it to start from an "
        "empty sandbox"
    )


def test_apply_says_in_the_job_summary_when_it_changes_nothing(
    applied: Path, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    assert cs(applied, "apply", "--auto-approve", env=env).code == 0
    assert "**No changes." in summary.read_text(encoding="utf-8")

    summary.unlink()
    for name in ("billing.yaml", "integrations.yaml", "troubleshooting.yaml"):
        (applied / "content" / "acme-help" / name).unlink()
    assert cs(applied, "apply", "--auto-approve", env=env).code == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## contentsync plan")
    assert "## contentsync apply refused" in text and "--allow-mass-delete" in text
