"""`contentsync status` on real git repositories built commit by commit, in a known order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from contentsync.status import text_fields
from tests.clirun import Result, run

HC = "content/acme"
GIT_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


class Repo:
    """A git repository whose commits get dates one day apart, in the order they are made."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.day = 0
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        date = f"2026-01-{max(self.day, 1):02d}T12:00:00Z"  # a merge: the day of the last commit
        env = {**GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        done = subprocess.run(
            ["git", "-c", "user.name=Writer", "-c", "user.email=w@acme.com", *args],
            cwd=self.root, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return done.stdout.strip()

    def write(self, path: str, text: str) -> None:
        file = self.root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")

    def commit(self, message: str) -> str:
        self.day += 1
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def status(self, *args: str) -> Result:
        return run("status", *args, cwd=self.root)

    def report(self, *args: str) -> dict[str, Any]:
        result = self.status("--format", "json", *args)
        assert result.code == 0, result.output
        data: dict[str, Any] = json.loads(result.out)
        return data


def article(title: str, body: str, **meta: str) -> str:
    lines = [f"title: {title}", *(f"{k}: {v}" for k, v in meta.items())]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


def help_center(locales: str = "[en, fr, de]") -> str:
    return f"default_locale: en\nlocales: {locales}\n"


def counts(report: dict[str, Any], locale: str, kind: str | None = None) -> tuple[int, ...]:
    """(up to date, stale, missing) of one locale, for articles, collections or both."""
    (hc,) = report["help_centers"]
    (row,) = [r for r in hc["locales"] if r["locale"] == locale]
    picked = row[kind] if kind else row
    return (picked["up_to_date"], picked["stale"], picked["missing"])


def entries(report: dict[str, Any], locale: str) -> list[tuple[str, str, str]]:
    (hc,) = report["help_centers"]
    return [(e["state"], e["kind"], e["file"]) for e in hc["entries"] if e["locale"] == locale]


BILLING = "name: Billing\ntranslations:\n  fr:\n    name: Facturation\n"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    r = Repo(tmp_path / "repo")
    r.write(f"{HC}/_help_center.yaml", help_center())
    r.write(f"{HC}/billing/_collection.yaml", BILLING)
    r.write(f"{HC}/billing/refunds.md", article("Refunds", "Five days.", author="jane@acme.com"))
    r.write(f"{HC}/billing/refunds.fr.md", article("Remboursements", "Cinq jours."))
    r.commit("refunds in English and French")
    return r


REFUNDS = f"{HC}/billing/refunds.md"
REFUNDS_FR = f"{HC}/billing/refunds.fr.md"


# ---- articles: per file, in commit order ------------------------------------------------------


def test_a_source_changed_after_its_translation_makes_it_stale_until_it_is_updated(
    repo: Repo,
) -> None:
    assert counts(repo.report(), "fr", "articles") == (1, 0, 0)
    assert counts(repo.report(), "de", "articles") == (0, 0, 1)
    repo.write(REFUNDS, article("Refunds", "Seven days.", author="jane@acme.com"))
    english = repo.commit("refunds take seven days")
    report = repo.report()
    assert counts(report, "fr", "articles") == (0, 1, 0)
    (hc,) = report["help_centers"]
    (stale,) = [e for e in hc["entries"] if e["locale"] == "fr" and e["kind"] == "article"]
    assert stale["file"] == REFUNDS_FR
    assert stale["source"] == REFUNDS
    assert stale["stale"][0]["source_commit"]["sha"] == english
    assert stale["stale"][0]["source_commit"]["time"] == "2026-01-02T12:00:00Z"
    assert stale["stale"][0]["translation_commit"]["time"] == "2026-01-01T12:00:00Z"
    repo.write(REFUNDS_FR, article("Remboursements", "Sept jours."))
    repo.commit("fr: sept jours")
    assert counts(repo.report(), "fr", "articles") == (1, 0, 0)


def test_title_and_description_are_text_but_state_author_and_id_are_not(repo: Repo) -> None:
    repo.write(REFUNDS, article("Refunds", "Five days.", author="bob@acme.com", state="draft"))
    repo.commit("bob owns refunds, as a draft")
    repo.write(REFUNDS, article("Refunds", "Five days.", id='"8123"', author="bob@acme.com"))
    repo.commit("pin the id")
    assert counts(repo.report(), "fr", "articles") == (1, 0, 0)
    repo.write(REFUNDS, article("Refunds", "Five days.", id='"8123"', description="Money back"))
    repo.commit("a description")
    assert counts(repo.report(), "fr", "articles") == (0, 1, 0)
    repo.write(REFUNDS_FR, article("Remboursements", "Cinq jours.", description="Argent"))
    repo.commit("fr description")
    repo.write(REFUNDS, article("Refunds, explained", "Five days.", id='"8123"'))
    repo.commit("a new title")
    assert counts(repo.report(), "fr", "articles") == (0, 1, 0)


def test_a_translation_last_changed_on_a_branch_that_never_saw_the_source_change_is_stale(
    repo: Repo,
) -> None:
    """Ancestry, not dates: the French edit is dated after the English one, but was made on a
    branch without it, so it cannot have translated it."""
    repo.git("checkout", "-q", "-b", "french")
    repo.git("checkout", "-q", "main")
    repo.write(REFUNDS, article("Refunds", "Seven days."))
    repo.commit("day 2: English on main")
    repo.git("checkout", "-q", "french")
    repo.write(REFUNDS_FR, article("Remboursements", "Cinq jours ouvrés."))
    repo.commit("day 3: French on a branch from day 1")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-edit", "french")
    assert counts(repo.report(), "fr", "articles") == (0, 1, 0)
    repo.write(REFUNDS_FR, article("Remboursements", "Sept jours."))
    repo.commit("day 4: French after the merge")
    assert counts(repo.report(), "fr", "articles") == (1, 0, 0)


def test_a_merge_keeps_the_commit_of_the_side_that_wrote_the_text(repo: Repo) -> None:
    """English changes on a branch, French catches up on main after merging it; then a merge of
    an older branch that did not touch refunds changes nothing."""
    repo.git("checkout", "-q", "-b", "other")
    repo.write(f"{HC}/billing/other.md", article("Other", "Text."))
    repo.commit("day 2: an unrelated article on a branch")
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "-b", "english")
    repo.write(REFUNDS, article("Refunds", "Seven days."))
    english = repo.commit("day 3: English on a branch")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "--no-edit", "english")
    report = repo.report()
    assert counts(report, "fr", "articles") == (0, 1, 0)
    (hc,) = report["help_centers"]
    (entry,) = [e for e in hc["entries"] if e["locale"] == "fr" and e["kind"] == "article"]
    assert entry["stale"][0]["source_commit"]["sha"] == english  # not the merge
    repo.write(REFUNDS_FR, article("Remboursements", "Sept jours."))
    repo.commit("day 4: French")
    repo.git("merge", "-q", "--no-edit", "other")
    report = repo.report()
    assert counts(report, "fr", "articles") == (1, 0, 1)  # refunds up to date; other missing
    assert entries(report, "fr") == [("missing", "article", f"{HC}/billing/other.fr.md")]


# ---- renames --------------------------------------------------------------------------------


def test_renamed_files_keep_their_history(repo: Repo) -> None:
    repo.git("mv", f"{HC}/billing", f"{HC}/payments")  # the collection folder and both files
    repo.commit("billing is now payments")
    report = repo.report()
    assert counts(report, "fr", "articles") == (1, 0, 0)
    assert counts(report, "fr", "collections") == (1, 0, 0)
    repo.write(f"{HC}/payments/refunds.md", article("Refunds", "Seven days."))
    repo.commit("English changes")
    repo.git("mv", f"{HC}/payments/refunds.fr.md", f"{HC}/payments/money-back.fr.md")
    repo.git("mv", f"{HC}/payments/refunds.md", f"{HC}/payments/money-back.md")
    repo.commit("rename the article in both locales")
    report = repo.report()
    assert counts(report, "fr", "articles") == (0, 1, 0)
    assert entries(report, "fr")[0] == ("stale", "article", f"{HC}/payments/money-back.fr.md")


def test_a_renamed_and_edited_source_counts_as_changed_text(repo: Repo) -> None:
    repo.git("mv", REFUNDS, f"{HC}/billing/money-back.md")
    repo.git("mv", REFUNDS_FR, f"{HC}/billing/money-back.fr.md")
    repo.write(f"{HC}/billing/money-back.md", article("Money back", "Five days.", author="jane"))
    repo.commit("rename and retitle")
    assert counts(repo.report(), "fr", "articles") == (0, 1, 0)


# ---- collections: per field -------------------------------------------------------------------

COLLECTION = f"{HC}/billing/_collection.yaml"


def collection(description: str, fr: str, de: str = "", name: str = "Billing") -> str:
    text = f"name: {name}\ndescription: {description}\ntranslations:\n"
    text += f"  fr:\n    name: Facturation\n    description: {fr}\n"
    if de:
        text += f"  de:\n    name: {de}\n"
    return text


def test_a_collection_is_compared_field_by_field(repo: Repo) -> None:
    repo.write(COLLECTION, collection("Invoices", "Factures", de="Abrechnung"))
    repo.commit("billing in three languages")
    report = repo.report()
    assert counts(report, "fr", "collections") == (1, 0, 0)
    assert counts(report, "de", "collections") == (0, 0, 1)  # no description in German
    (hc,) = report["help_centers"]
    (de,) = [e for e in hc["entries"] if e["locale"] == "de" and e["kind"] == "collection"]
    assert de["missing_fields"] == ["description"]
    assert de["file"] == COLLECTION

    repo.write(COLLECTION, collection("Invoices and refunds", "Factures", de="Abrechnung"))
    repo.commit("a longer description")
    report = repo.report()
    assert counts(report, "fr", "collections") == (0, 1, 0)
    (hc,) = report["help_centers"]
    (fr,) = [e for e in hc["entries"] if e["locale"] == "fr" and e["kind"] == "collection"]
    assert [lag["field"] for lag in fr["stale"]] == ["description"]  # the name is not stale

    repo.write(COLLECTION, collection("Invoices and refunds", "Factures et remboursements", "X"))
    repo.commit("fr catches up; de renames")
    assert counts(repo.report(), "fr", "collections") == (1, 0, 0)


def test_rewriting_a_collection_file_without_changing_a_value_changes_no_text(
    repo: Repo,
) -> None:
    repo.write(COLLECTION, collection("Invoices", "Factures"))
    repo.commit("billing")
    repo.write(COLLECTION, '# the billing collection\nname: "Billing"\n' + collection(
        "Invoices", "Factures").split("\n", 1)[1])  # fmt: skip
    repo.commit("quotes and a comment")
    assert counts(repo.report(), "fr", "collections") == (1, 0, 0)


def test_a_change_to_the_name_stales_only_the_names(repo: Repo) -> None:
    repo.write(COLLECTION, collection("Invoices", "Factures"))
    repo.commit("billing")
    repo.write(COLLECTION, collection("Invoices", "Factures", name="Billing and invoices"))
    repo.commit("a new name")
    report = repo.report()
    (hc,) = report["help_centers"]
    (fr,) = [e for e in hc["entries"] if e["locale"] == "fr" and e["kind"] == "collection"]
    assert [lag["field"] for lag in fr["stale"]] == ["name"]
    listing = repo.status("--locale", "fr")
    assert f"{COLLECTION}  Billing and invoices (translations.fr.name)" in listing.out
    assert (
        repo.status("--locale", "en").out
        == "acme: en is its default locale: the text that is translated\n"
    )
    assert (
        repo.status("--locale", "ko").out
        == "acme: no ko translations, and ko is not in 'locales:'\n"
    )


# ---- uncommitted edits ------------------------------------------------------------------------


def test_uncommitted_edits_count_as_now(repo: Repo) -> None:
    repo.write(REFUNDS, article("Refunds", "Seven days."))
    report = repo.report()
    assert report["uncommitted"] is True
    assert counts(report, "fr", "articles") == (0, 1, 0)
    (hc,) = report["help_centers"]
    (entry,) = [e for e in hc["entries"] if e["locale"] == "fr"]
    lag = entry["stale"][0]
    assert lag["source_commit"] == {"sha": None, "uncommitted": True, "time": None}
    repo.write(REFUNDS_FR, article("Remboursements", "Sept jours."))  # also uncommitted
    assert counts(repo.report(), "fr", "articles") == (1, 0, 0)
    repo.commit("both")
    repo.write(REFUNDS_FR, article("Remboursements", "Sept jours ouvrés."))
    assert counts(repo.report(), "fr", "articles") == (1, 0, 0)


def test_new_files_and_moves_in_the_working_tree(repo: Repo) -> None:
    repo.write(REFUNDS, article("Refunds", "Seven days."))
    repo.commit("English changes: fr is stale")
    repo.write(f"{HC}/billing/invoices.md", article("Invoices", "Monthly."))  # untracked
    repo.write(f"{HC}/billing/invoices.de.md", article("Rechnungen", "Monatlich."))
    (repo.root / REFUNDS_FR).rename(repo.root / f"{HC}/billing/money.fr.md")  # not a git mv
    (repo.root / REFUNDS).rename(repo.root / f"{HC}/billing/money.md")
    report = repo.report()
    # a moved file keeps its history: money.fr.md is still stale, not new
    assert counts(report, "fr", "articles") == (0, 1, 1)
    assert entries(report, "fr") == [
        ("stale", "article", f"{HC}/billing/money.fr.md"),
        ("missing", "article", f"{HC}/billing/invoices.fr.md"),
    ]
    assert counts(report, "de", "articles") == (1, 0, 1)  # invoices.de.md is as new as its source


def test_a_repository_without_commits_has_everything_uncommitted(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "fresh")
    repo.write(f"{HC}/_help_center.yaml", help_center())
    repo.write(REFUNDS, article("Refunds", "Five days."))
    repo.write(REFUNDS_FR, article("Remboursements", "Cinq jours."))
    report = repo.report()
    assert report["head"] is None
    assert counts(report, "fr") == (1, 0, 0)
    assert counts(report, "de") == (0, 0, 1)


# ---- locales -------------------------------------------------------------------------------


def test_missing_is_counted_against_locales_and_other_locales_are_shown_apart(
    repo: Repo,
) -> None:
    repo.write(f"{HC}/billing/refunds.ja.md", article("払い戻し", "5日"))
    repo.commit("a Japanese translation, though ja is not a locale of the help center")
    report = repo.report()
    (hc,) = report["help_centers"]
    assert [(r["locale"], r["declared"]) for r in hc["locales"]] == [
        ("de", True), ("fr", True), ("ja", False)
    ]  # fmt: skip
    assert counts(report, "de") == (0, 0, 2)  # the collection and the article
    assert counts(report, "fr") == (2, 0, 0)
    assert counts(report, "ja") == (1, 0, 0)  # nothing counts as missing in an extra locale
    text = repo.status().out
    assert "note: ja is not in 'locales:' of content/acme/_help_center.yaml" in text


def test_without_locales_the_languages_are_the_ones_the_files_use(repo: Repo) -> None:
    repo.write(f"{HC}/_help_center.yaml", "default_locale: en\n")
    repo.commit("no locales")
    report = repo.report()
    (hc,) = report["help_centers"]
    assert hc["locales_written"] is False
    assert [r["locale"] for r in hc["locales"]] == ["fr"]
    assert "has no 'locales:'" in repo.status().out


def test_the_text_matrix_puts_the_worst_locale_first_and_the_listing_names_files(
    repo: Repo,
) -> None:
    repo.write(f"{HC}/_help_center.yaml", help_center("[en, fr, de, ja]"))
    repo.write(f"{HC}/billing/invoices.md", article("Invoices", "Monthly."))
    repo.write(f"{HC}/billing/invoices.fr.md", article("Factures", "Mensuel."))
    repo.write(f"{HC}/billing/invoices.de.md", article("Rechnungen", "Monatlich."))
    repo.write(COLLECTION, collection("Invoices", "Factures", de="Abrechnung"))
    repo.commit("invoices")
    repo.write(f"{HC}/billing/invoices.md", article("Invoices", "Every month."))
    repo.commit("invoices change")
    result = repo.status()
    assert result.code == 0, result.output
    lines = result.out.splitlines()
    header = lines.index("acme: 2 articles and 1 collection in English (en)")
    assert lines[header + 2].split() == ["locale", "up", "to", "date", "stale", "missing"]
    assert lines[header + 3].split() == ["de", "0/3", "0%", "1", "2"]  # as bad as ja, more stale
    assert lines[header + 4].split() == ["ja", "0/3", "0%", "0", "3"]
    assert lines[header + 5].split() == ["fr", "2/3", "66%", "1", "0"]
    assert lines[-1] == "List a locale's stale and missing files: contentsync status --locale de"

    listing = repo.status("--locale", "de").out
    assert "de in acme: 0 of 3 up to date, 1 stale, 2 missing" in listing
    assert f"  article     {HC}/billing/invoices.de.md  Invoices\n" in listing
    assert "      English changed in " in listing and "(2026-01-03), de last in " in listing
    assert f"  collection  {COLLECTION}  Billing (translations.de.description)" in listing


# ---- the CI gate and the pull request ----------------------------------------------------------


def test_fail_on_exits_1_when_something_matches(repo: Repo) -> None:
    assert repo.status("--fail-on", "stale").code == 0
    missing = repo.status("--fail-on", "missing")
    assert missing.code == 1
    assert "error: 2 missing translations (--fail-on missing)" in missing.err
    assert "Traceback" not in missing.output
    assert repo.status("--fail-on", "missing", "--locale", "fr").code == 0
    assert repo.status("--fail-on", "missing", "--locale", "de").code == 1
    repo.write(f"{HC}/_help_center.yaml", help_center("[en, fr]"))
    repo.write(COLLECTION, "name: Billing\ntranslations:\n  fr:\n    name: Facturation\n")
    repo.commit("French only, complete")
    assert repo.status("--fail-on", "missing", "--fail-on", "stale").code == 0
    repo.write(REFUNDS, article("Refunds", "Seven days."))
    gate = repo.status("--fail-on", "missing", "--fail-on", "stale")
    assert gate.code == 1
    assert "error: 1 stale translation (--fail-on missing, stale)" in gate.err


def test_changed_since_says_which_translations_the_change_makes_stale(repo: Repo) -> None:
    repo.write(f"{HC}/billing/invoices.md", article("Invoices", "Monthly."))
    repo.write(f"{HC}/billing/invoices.fr.md", article("Factures", "Mensuel."))
    repo.write(f"{HC}/billing/invoices.de.md", article("Rechnungen", "Monatlich."))
    base = repo.commit("invoices in three languages")
    repo.git("checkout", "-q", "-b", "pull-request")
    repo.write(f"{HC}/billing/invoices.md", article("Invoices", "Every month."))
    repo.write(REFUNDS, article("Refunds", "Seven days."))
    repo.write(f"{HC}/billing/invoices.de.md", article("Rechnungen", "Jeden Monat."))
    repo.write(f"{HC}/billing/tax.md", article("Tax", "VAT."))
    repo.commit("the pull request")
    report = repo.report("--changed-since", base)
    (hc,) = report["help_centers"]
    assert hc["changed"] == [
        {"kind": "article", "source": f"{HC}/billing/invoices.md", "title": "Invoices",
         "added": False, "lagging": ["fr"], "missing": []},
        {"kind": "article", "source": REFUNDS, "title": "Refunds",
         "added": False, "lagging": ["fr"], "missing": ["de"]},
        {"kind": "article", "source": f"{HC}/billing/tax.md", "title": "Tax",
         "added": True, "lagging": [], "missing": ["fr", "de"]},
    ]  # fmt: skip
    markdown = repo.status("--changed-since", "main", "--format", "markdown").out
    assert "This changes the English text of 2 articles: fr now lags." in markdown
    assert "This adds 1 article, not yet translated into fr and de." in markdown
    assert "| article “Refunds” | content/acme/billing/refunds.md | fr | de |" in markdown
    assert "<details><summary>Every locale</summary>" in markdown
    nothing = repo.status("--changed-since", "HEAD")
    assert "The commits since HEAD change no English text." in nothing.out


def test_markdown_escapes_titles(repo: Repo) -> None:
    repo.write(REFUNDS, article("'@team | <b>*now*</b>'", "Seven days."))
    repo.commit("a hostile title")
    markdown = repo.status("--changed-since", "HEAD~1", "--format", "markdown").out
    assert "<b>" not in markdown and "@team" not in markdown
    assert "\\| &lt;b&gt;\\*now\\*&lt;/b&gt;" in markdown


# ---- what status needs, and says so -----------------------------------------------------------


def test_outside_a_git_repository_status_says_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / HC).mkdir(parents=True)
    (tmp_path / HC / "_help_center.yaml").write_text(help_center(), encoding="utf-8")
    result = run("status", cwd=tmp_path)
    assert result.code == 1
    assert "is not inside a git repository" in result.err
    assert "git clone" in result.err
    assert "Traceback" not in result.output


def test_a_shallow_clone_is_refused_with_the_fix(repo: Repo, tmp_path: Path) -> None:
    repo.write(REFUNDS, article("Refunds", "Seven days."))
    repo.commit("second")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", repo.root.as_uri(), str(clone)],
        check=True, env=GIT_ENV, capture_output=True,
    )  # fmt: skip
    result = run("status", cwd=clone)
    assert result.code == 1
    assert "shallow clone" in result.err
    assert "fetch-depth: 0" in result.err and "git fetch --unshallow" in result.err
    assert "Traceback" not in result.output


def test_an_unknown_changed_since_revision_is_a_sentence(repo: Repo) -> None:
    result = repo.status("--changed-since", "origin/main")
    assert result.code == 1
    assert "error: --changed-since origin/main: no such commit here; fetch it first" in result.err


def test_content_problems_are_sentences_with_the_file(repo: Repo) -> None:
    repo.write(f"{HC}/billing/orphan.fr.md", article("Orphelin", "Rien."))
    repo.write(f"{HC}/billing/refunds.en.md", article("Refunds", "Twice."))
    repo.write(f"{HC}/billing/refunds.fx.md", article("Refunds", "Typo."))  # not an article
    repo.write(COLLECTION, "name: Billing\ntranslations:\n  xx:\n    name: X\n")
    result = repo.status()
    assert result.code == 1
    assert (
        f"{HC}/billing/orphan.fr.md: a translation without its default-locale file orphan.md"
        in result.err
    )
    assert "refunds.en.md: en is the default locale: its text belongs in refunds.md" in result.err
    assert "billing/_collection.yaml:3:3: translations.xx: 'xx' is not one of" in result.err
    assert "billing/refunds.fx.md: 'fx' is not one of Intercom's locales" in result.err
    assert "4 problems found." in result.err


def test_history_is_read_by_a_fixed_number_of_git_processes(tmp_path: Path) -> None:
    """One `git log` whatever the size: 2 articles and 1 commit, or 24 articles and 12 commits."""

    def processes(articles: int, commits: int) -> list[str]:
        repo = Repo(tmp_path / f"repo-{articles}")
        repo.write(f"{HC}/_help_center.yaml", help_center())
        for c in range(commits):
            for a in range(articles):
                repo.write(f"{HC}/billing/a{a}.md", article(f"A{a}", f"Version {c}."))
                repo.write(f"{HC}/billing/a{a}.fr.md", article(f"A{a} fr", f"Version {c}."))
            repo.commit(f"commit {c}")
        trace = tmp_path / f"trace-{articles}"
        result = run("status", cwd=repo.root, env={"GIT_TRACE": str(trace)})
        assert result.code == 0, result.output
        lines = trace.read_text(encoding="utf-8").splitlines()
        return [_subcommand(line) for line in lines if "built-in: git " in line]

    small, large = processes(2, 1), processes(24, 12)
    assert large == ["version", "rev-parse", "rev-parse", "rev-parse", "log", "cat-file",
                     "rev-parse", "status"]  # fmt: skip
    assert small == [p for p in large if p != "cat-file"]  # nothing edited: nothing to compare


def _subcommand(trace_line: str) -> str:
    words = trace_line.split("built-in: git ")[1].split()
    while words[0] == "-c":
        words = words[2:]
    return words[0]


def test_content_in_a_subfolder_with_other_files_changing_around_it(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    help_dir = "docs/help/acme"
    repo.write(f"{help_dir}/_help_center.yaml", help_center("[en, fr]"))
    repo.write(f"{help_dir}/facturación/_collection.yaml", "name: Facturación\n")
    repo.write(f"{help_dir}/facturación/refunds.md", article("Refunds", "Five days."))
    repo.write(f"{help_dir}/facturación/refunds.fr.md", article("Remboursements", "Cinq."))
    repo.write("src/app.py", "print(1)\n")
    repo.commit("docs and code")
    repo.write("src/app.py", "print(2)\n")
    repo.git("mv", "src/app.py", "src/main.py")
    repo.commit("code only")
    repo.write(f"{help_dir}/facturación/refunds.md", article("Refunds", "Seven days."))
    repo.commit("English")
    result = run("--content", "docs/help", "status", "--locale", "fr", cwd=repo.root)
    assert result.code == 0, result.output
    assert "fr in acme: 0 of 2 up to date, 1 stale, 1 missing" in result.out
    assert "  article     docs/help/acme/facturación/refunds.fr.md  Refunds\n" in result.out
    inside = run("--content", ".", "status", "--locale", "fr", cwd=repo.root / "docs/help")
    assert "  article     acme/facturación/refunds.fr.md  Refunds\n" in inside.out


def test_the_benchmark_runs_and_prints_its_table() -> None:
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.status", "--articles", "40", "--commits", "13",
         "--repeat", "1"],
        capture_output=True, text=True, cwd=root, timeout=300,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "440 article files (40 articles x 11 locales), 13 commits (3 merges)" in done.stdout
    assert "| `contentsync status` (median of 1) |" in done.stdout
    assert "| found | " in done.stdout


@given(
    st.tuples(st.text(max_size=5), st.text(max_size=5), st.text(max_size=5)),
    st.tuples(st.text(max_size=5), st.text(max_size=5), st.text(max_size=5)),
    st.sampled_from(["draft", "published"]),
)
def test_article_text_is_equal_exactly_when_title_description_and_body_are(
    one: tuple[str, str, str], other: tuple[str, str, str], state: str
) -> None:
    def text(parts: tuple[str, str, str], state: str) -> bytes:
        title, description, body = parts
        front = yaml.safe_dump({"title": title, "description": description, "state": state})
        return f"---\n{front}---\n{body}".encode()

    first = text_fields("a/x.md", text(one, "published"))["text"]
    second = text_fields("a/x.md", text(other, state))["text"]
    same = (one[0], one[1], one[2].replace("\r\n", "\n")) == (
        other[0], other[1], other[2].replace("\r\n", "\n"))  # fmt: skip
    assert (first == second) is same


# ---- the README's example -----------------------------------------------------------------------

README = Path(__file__).resolve().parents[1] / "README.md"


def demo_repository(root: Path) -> Repo:
    """The repository the README's "Translation status" example runs in, a pull request
    checked out."""
    repo = Repo(root)
    hc = "content/acme-help"
    repo.write(f"{hc}/_help_center.yaml", "default_locale: en\nlocales: [en, fr, de, ja]\n")
    repo.write(
        f"{hc}/billing/_collection.yaml",
        "name: Billing\ndescription: Invoices and refunds.\ntranslations:\n"
        "  fr:\n    name: Facturation\n    description: Factures et remboursements.\n"
        "  de:\n    name: Abrechnung\n",
    )
    repo.write(f"{hc}/billing/refunds.md", article("Request a refund", "Refunds take 5 days."))
    repo.write(f"{hc}/billing/refunds.fr.md", article("Demander un remboursement", "5 jours."))
    repo.write(f"{hc}/billing/refunds.de.md", article("Rückerstattung", "5 Tage."))
    repo.write(f"{hc}/billing/invoices.md", article("Download an invoice", "Open Billing."))
    repo.write(f"{hc}/billing/invoices.fr.md", article("Télécharger une facture", "Ouvrez."))
    repo.commit("Billing in English, French and German")
    repo.write(f"{hc}/billing/refunds.md", article("Request a refund", "Refunds take 7 days."))
    repo.write(
        f"{hc}/billing/_collection.yaml",
        "name: Billing\ndescription: Invoices, refunds and taxes.\ntranslations:\n"
        "  fr:\n    name: Facturation\n    description: Factures et remboursements.\n"
        "  de:\n    name: Abrechnung\n",
    )
    repo.commit("Refunds take 7 days; billing covers taxes")
    repo.write(f"{hc}/billing/refunds.de.md", article("Rückerstattung", "7 Tage."))
    repo.commit("de: refunds take 7 days")
    repo.git("checkout", "-q", "-b", "vat-invoices")
    repo.write(f"{hc}/billing/invoices.md", article("Download an invoice", "Open Billing > VAT."))
    repo.write(f"{hc}/billing/vat.md", article("VAT on invoices", "We add VAT in the EU."))
    repo.commit("Invoices show VAT")
    return repo


def test_the_readme_example_is_what_status_prints(tmp_path: Path) -> None:
    repo = demo_repository(tmp_path / "demo")
    readme = README.read_text(encoding="utf-8")
    blocks = [b.split("\n```")[0] for b in readme.split("```console\n")[1:]]
    blocks = [b for b in blocks if b.startswith("$ contentsync status")]
    assert len(blocks) == 3
    for block in blocks:
        command, _, expected = block.partition("\n")
        args = command.removeprefix("$ contentsync ").split()
        result = run(*args, cwd=repo.root)
        assert result.out.rstrip("\n") == expected.rstrip("\n"), command


def test_nested_collections_count_as_collections_with_their_articles(repo: Repo) -> None:
    repo.write(f"{HC}/billing/taxes/_collection.yaml", "name: Taxes\ndescription: VAT\n")
    repo.write(f"{HC}/billing/taxes/eu/_collection.yaml", "name: EU\n" + BILLING.split("\n", 1)[1])
    repo.write(f"{HC}/billing/taxes/eu/vat.md", article("VAT", "20%."))
    repo.write(f"{HC}/billing/taxes/eu/vat.fr.md", article("TVA", "20 %."))
    repo.commit("taxes, two levels down")
    report = repo.report()
    (hc,) = report["help_centers"]
    assert (hc["articles"], hc["collections"]) == (2, 3)
    assert counts(report, "fr", "collections") == (2, 0, 1)  # taxes has no French
    assert counts(report, "fr", "articles") == (2, 0, 0)
    assert entries(report, "fr") == [
        ("missing", "collection", f"{HC}/billing/taxes/_collection.yaml")
    ]


def test_a_translation_committed_before_its_source_is_stale(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write(f"{HC}/_help_center.yaml", help_center("[en, fr]"))
    repo.write(f"{HC}/billing/_collection.yaml", BILLING)
    repo.write(REFUNDS_FR, article("Remboursements", "Cinq jours."))
    repo.commit("day 1: the French first (validate would refuse it alone)")
    repo.write(REFUNDS, article("Refunds", "Five days."))
    repo.commit("day 2: the English")
    report = repo.report()
    assert counts(report, "fr", "articles") == (0, 1, 0)
    assert counts(report, "fr", "collections") == (1, 0, 0)


def test_a_merge_that_resolves_a_conflict_with_new_text_is_where_the_text_changed(
    repo: Repo,
) -> None:
    repo.git("checkout", "-q", "-b", "left")
    repo.write(REFUNDS, article("Refunds", "Six days."))
    repo.write(REFUNDS_FR, article("Remboursements", "Six jours."))
    repo.commit("day 2: six days, in both languages")
    repo.git("checkout", "-q", "main")
    repo.write(REFUNDS, article("Refunds", "Eight days."))
    repo.commit("day 3: eight days")
    conflicted = subprocess.run(
        ["git", "-c", "user.name=W", "-c", "user.email=w@a", "merge", "-q", "left"],
        cwd=repo.root, env=GIT_ENV, capture_output=True, check=False,
    )  # fmt: skip
    assert conflicted.returncode == 1  # refunds.md conflicts
    repo.write(REFUNDS, article("Refunds", "Seven days."))  # a text neither side had
    merge = repo.commit("day 4: the merge settles on seven")
    report = repo.report()
    assert counts(report, "fr", "articles") == (0, 1, 0)
    (hc,) = report["help_centers"]
    (entry,) = [e for e in hc["entries"] if e["locale"] == "fr" and e["kind"] == "article"]
    assert entry["stale"][0]["source_commit"]["sha"] == merge


def test_changed_since_in_githubs_pull_request_checkout(repo: Repo) -> None:
    """actions/checkout of a pull request: a merge of its head into the base's tip, detached.
    The base moved on meanwhile; only the pull request's changes are its own."""
    repo.git("checkout", "-q", "-b", "pull")
    repo.write(REFUNDS, article("Refunds", "Seven days."))
    repo.commit("day 2: the pull request changes the English")
    repo.git("checkout", "-q", "main")
    repo.write(f"{HC}/billing/invoices.md", article("Invoices", "Monthly."))
    repo.commit("day 3: main adds an article meanwhile")
    repo.git("checkout", "-q", "--detach", "main")
    repo.git("merge", "-q", "--no-ff", "--no-edit", "pull")
    report = repo.report("--changed-since", "main")
    (hc,) = report["help_centers"]
    assert [(c["source"], c["lagging"], c["added"]) for c in hc["changed"]] == [
        (REFUNDS, ["fr"], False)
    ]
