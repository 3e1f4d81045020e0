"""Articles as a writer meets them: Markdown files on disk, the real CLI, the sandbox over HTTP
(which rewrites article HTML as Intercom does, so a raw-HTML comparison would never settle)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from contentsync.sandbox import SANDBOX_TOKEN, running_sandbox
from tests.clirun import Result, run

EXAMPLE = Path(__file__).resolve().parents[1] / "content"
REFUNDS = Path("content/acme-help/3-billing/3-refunds")
PAYMENTS = Path("content/acme-help/3-billing/2-payment-methods")


def cs(project: Path, *args: str) -> Result:
    return run("--sandbox", *args, cwd=project)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "content")
    return tmp_path


@pytest.fixture
def applied(project: Path) -> Path:
    result = cs(project, "apply", "--auto-approve")
    assert result.code == 0, result.output
    return project


def live_articles(project: Path, version: str = "2.9") -> list[dict[str, Any]]:
    with (
        running_sandbox(project / ".contentsync" / "sandbox.json", ["acme-help"]) as box,
        httpx.Client(
            base_url=box.url,
            headers={"Authorization": f"Bearer {SANDBOX_TOKEN}", "Intercom-Version": version},
        ) as http,
    ):
        data: list[dict[str, Any]] = http.get("/articles", params={"per_page": 250}).json()["data"]
        return data


def plan_is_empty(project: Path) -> None:
    result = cs(project, "plan", "--detailed-exitcode")
    assert result.code == 0, result.output
    assert "No changes." in result.out


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_example_articles_apply_in_every_locale_then_plan_is_empty(applied: Path) -> None:
    plan_is_empty(applied)
    articles = {a["title"]: a for a in live_articles(applied)}
    refund = articles["Request a refund"]
    assert set(refund["translated_content"]) >= {"fr", "es"}
    assert refund["translated_content"]["fr"]["title"] == "Demander un remboursement"
    assert articles["Sync error codes"]["state"] == "draft"
    assert refund["state"] == "published"
    # the cycle refund <-> payment methods is written by a second update: both links resolve
    payments = articles["Payment methods"]
    assert f"/articles/{payments['id']}" in refund["body"]
    assert f"/articles/{refund['id']}" in payments["body"]
    # Intercom's rewrites happened (a class on paragraphs, the image re-hosted), and settled
    assert "intercom" in refund["body"]


def test_a_body_edit_is_one_update_with_a_diff_of_the_text(applied: Path) -> None:
    path = applied / REFUNDS / "request-a-refund.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("5 business days", "3 business days"),
        encoding="utf-8",
    )
    result = cs(applied, "plan", "--detailed-exitcode")
    assert result.code == 2, result.output
    assert "~ update article Billing and plans / Refunds / Request a refund" in result.out
    assert "-p Refunds take **5 business days**" in result.out
    assert "+p Refunds take **3 business days**" in result.out
    assert "Plan: 0 to create, 1 to update, 0 to delete." in result.out
    assert cs(applied, "apply", "--auto-approve").code == 0
    plan_is_empty(applied)


def test_a_moved_folder_moves_its_articles_never_deletes_them(applied: Path) -> None:
    before = {a["title"]: a["id"] for a in live_articles(applied)}
    shutil.move(applied / REFUNDS / "request-a-refund.md", applied / PAYMENTS / "zz-refund.md")
    for locale in ("fr", "es"):
        shutil.move(
            applied / REFUNDS / f"request-a-refund.{locale}.md",
            applied / PAYMENTS / f"zz-refund.{locale}.md",
        )
    # the links that pointed at the old file point at the new one
    for path in (applied / PAYMENTS).glob("payment-methods*.md"):
        text = path.read_text(encoding="utf-8").replace(
            "../3-refunds/request-a-refund", "zz-refund"
        )
        path.write_text(text, encoding="utf-8")
    zz = (applied / PAYMENTS / "zz-refund.md").read_text(encoding="utf-8")
    (applied / PAYMENTS / "zz-refund.md").write_text(
        zz.replace("../2-payment-methods/payment-methods.md", "payment-methods.md"), "utf-8"
    )
    zz_fr = (applied / PAYMENTS / "zz-refund.fr.md").read_text(encoding="utf-8")
    (applied / PAYMENTS / "zz-refund.fr.md").write_text(
        zz_fr.replace("../2-payment-methods/payment-methods.md", "payment-methods.md"), "utf-8"
    )
    result = cs(applied, "plan")
    assert result.code == 0, result.output
    assert "delete article" not in result.out
    assert "create article" not in result.out
    assert "~ update article Billing and plans / Payment methods / Request a refund" in result.out
    assert "parent:" in result.out
    assert cs(applied, "apply", "--auto-approve").code == 0
    after = {a["title"]: a for a in live_articles(applied)}
    assert after["Request a refund"]["id"] == before["Request a refund"]
    plan_is_empty(applied)


def test_deleting_a_collection_lists_the_articles_it_holds(applied: Path) -> None:
    shutil.rmtree(applied / "content/acme-help/5-troubleshooting")
    result = cs(applied, "plan")
    assert result.code == 1  # a link to a file that is gone is an error, at its line
    assert "install-on-windows.md:21: link to '../../5-troubleshooting/" in result.err
    install = applied / "content/acme-help/1-getting-started/2-install-the-app"
    text = (install / "install-on-windows.md").read_text(encoding="utf-8")
    (install / "install-on-windows.md").write_text(text.split("Stuck?")[0], encoding="utf-8")
    result = cs(applied, "plan")
    assert "- delete article Troubleshooting / Sync errors / Sync error codes" in result.out
    assert "still holds 1 article, deleted with it: 'Sync error codes'" in result.out


def test_a_saved_plan_with_articles_applies_from_the_content_its_digest_vouches_for(
    applied: Path,
) -> None:
    path = applied / REFUNDS / "request-a-refund.fr.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("5 jours", "4 jours"), encoding="utf-8"
    )
    assert cs(applied, "plan", "--out", "p.json").code == 0
    saved = json.loads((applied / "p.json").read_text(encoding="utf-8"))
    change = next(c for c in saved["changes"] if c["kind"] == "article")
    fr = change["translations"]["fr"]
    assert fr["body"].startswith("sha256:")  # bodies by digest: plan files stay small
    assert "Click **Request a refund**" not in json.dumps(saved)  # unchanged text stays out
    result = cs(applied, "apply", "p.json")
    assert result.code == 0, result.output
    fr_live = next(a for a in live_articles(applied) if a["title"] == "Request a refund")
    assert "4 jours" in fr_live["translated_content"]["fr"]["body"]
    plan_is_empty(applied)


def test_an_unknown_author_email_is_a_plan_error_at_the_article(project: Path) -> None:
    write(
        project / REFUNDS / "ghost.md",
        "---\ntitle: Ghost\nauthor: nobody@elsewhere.example\n---\nBoo.\n",
    )
    (project / "contentsync.yaml").write_text("", encoding="utf-8")
    # the embedded sandbox makes the content's authors teammates; a served one does not
    with running_sandbox(None, ["acme-help"], admins=["docs@acme.example"]) as box:
        result = run(
            "--api-url", box.url, "plan", cwd=project,
            env={"INTERCOM_ACCESS_TOKEN": SANDBOX_TOKEN},
        )  # fmt: skip
    assert result.code == 1, result.output
    assert (
        "ghost.md:3:9: author: no Intercom teammate has the email 'nobody@elsewhere.example'"
        in (result.err)
    )
    assert "Traceback" not in result.output


def test_an_article_in_the_example_settles_on_api_2_16_too(applied: Path) -> None:
    (applied / "contentsync.yaml").write_text('api_version: "2.16"\n', encoding="utf-8")
    plan_is_empty(applied)
    articles = live_articles(applied, "2.16")
    assert all("parent_ids" in a and "parent_type" not in a for a in articles)


EDITOR_HTML = [
    # what Intercom's own editor writes and its API returns
    '<h1 id="h_1a2b">Welcome</h1><p class="no-margin">Plain <b>bold</b> <i>it</i></p>'
    '<h3 id="h_3c">Deeper</h3><p class="intercom-align-center">Centred</p>',
    '<div class="intercom-interblocks-callout" style="background-color: #e3e7fa80;">'
    '<p class="no-margin">Note this.</p></div><ul><li><p class="no-margin">one</p></li>'
    '<li><p class="no-margin">two</p></li></ul>',
    '<table><tbody><tr><td><p class="no-margin">a</p></td><td><p class="no-margin">b</p></td>'
    "</tr></tbody></table><pre><code>code here</code></pre>",
    '<div class="intercom-container"><img src="https://downloads.intercomcdn.com/i/o/1/abc/'
    'pic.png?expires=1&amp;signature=x"></div><p class="no-margin"><a href="https://example.com" '
    'target="_blank" class="intercom-content-link">a link</a></p>',
]


def test_export_of_intercom_made_articles_then_plan_is_empty(tmp_path: Path) -> None:
    """Adopting a help center made in Intercom loses nothing and plans nothing."""
    state = tmp_path / "state.json"
    with (
        running_sandbox(state, ["acme-help"], admins=["writer@acme.example"]) as box,
        httpx.Client(
            base_url=box.url,
            headers={"Authorization": f"Bearer {SANDBOX_TOKEN}", "Intercom-Version": "2.9"},
        ) as http,
    ):
        hc = http.get("/help_center/help_centers").json()["data"][0]["id"]
        collection = http.post(
            "/help_center/collections", json={"name": "Guides", "help_center_id": int(hc)}
        ).json()
        admin = next(a for a in http.get("/admins").json()["admins"] if a["email"].startswith("w"))
        for i, body in enumerate(EDITOR_HTML):
            made = http.post(
                "/articles",
                json={
                    "title": f"Article {i}",
                    "author_id": int(admin["id"]),
                    "body": body,
                    "state": "published",
                    "parent_id": int(collection["id"]),
                    "parent_type": "collection",
                },
            )
            assert made.status_code == 200, made.text
        env = {"INTERCOM_ACCESS_TOKEN": SANDBOX_TOKEN}
        exported = run("--api-url", box.url, "export", "--out", "site", cwd=tmp_path, env=env)
        assert exported.code == 0, exported.output
        files = sorted((tmp_path / "site").rglob("*.md"))
        assert len(files) == len(EDITOR_HTML)
        assert "author: writer@acme.example" in files[0].read_text(encoding="utf-8")
        planned = run(
            "--api-url", box.url, "--content", "site", "plan", "--detailed-exitcode",
            cwd=tmp_path, env=env,
        )  # fmt: skip
        assert planned.code == 0, planned.output
        assert "No changes." in planned.out


def test_a_link_goes_to_the_same_locale_when_the_target_has_it(applied: Path) -> None:
    articles = {a["title"]: a for a in live_articles(applied)}
    install = articles["Install Acme on Windows"]["id"]
    sign_up = articles["Sign up for Acme"]["translated_content"]
    assert f"/fr/articles/{install}" in sign_up["fr"]["body"]  # install has a French page
    assert f"/en/articles/{install}" in sign_up["de"]["body"]  # and no German one
