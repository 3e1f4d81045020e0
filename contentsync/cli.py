"""The command line: the only module that prints, prompts, catches errors and picks exit codes.

Exit codes: 0 success (plan: no changes), 1 any error, refusal or partial apply, 2 plan has
changes (with --detailed-exitcode), 130 interrupted.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, NoReturn

import click

from contentsync import __version__, render
from contentsync.apply import ActionResult, ApplyReport, apply_plan
from contentsync.authors import admin_ids, emails, resolve_authors
from contentsync.client import IntercomClient, check_api_url
from contentsync.config import Config, load_config
from contentsync.diff import Options as PlanOptions
from contentsync.diff import content_digest, live_digest, make_plan
from contentsync.errors import (
    ApplyFailed,
    ConfigError,
    ContentsyncError,
    NotConfirmed,
    PlanRefused,
    ProblemsError,
    StalePlan,
)
from contentsync.export import export_help_center
from contentsync.live import read_live
from contentsync.loader import load_content
from contentsync.model import DesiredState, LiveState, walk
from contentsync.plan import Plan
from contentsync.schemas import write_all

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_INTERRUPTED = 0, 1, 2, 130
TOKEN_ENV = "INTERCOM_ACCESS_TOKEN"
SANDBOX_STATE = Path(".contentsync") / "sandbox.json"


@dataclass
class Options:
    config_file: Path | None
    content: Path | None
    api_url: str | None
    sandbox: bool
    ignore_pins: bool
    verbose: int
    color: bool

    def pins_ignored(self) -> str:
        """Why pinned ids are not used: the sandbox's ids are not Intercom's, and a staging
        workspace's are not production's."""
        if self.sandbox:
            return "--sandbox"
        return "--ignore-pins" if self.ignore_pins else ""

    def config(self) -> Config:
        return load_config(self.config_file, content_dir=self.content, api_url=self.api_url)


class Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def _stdout() -> IO[str]:
    return sys.stdout


def _err(message: str) -> None:
    click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="contentsync")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="contentsync.yaml")
@click.option("--content", type=click.Path(path_type=Path), help="Content directory.")
@click.option("--api-url", help="Intercom API base URL (overrides INTERCOM_API_URL).")
@click.option("--sandbox", is_flag=True, help="Use the embedded sandbox; no token needed.")
@click.option(
    "--ignore-pins", is_flag=True, help="Match by name, not by pinned id (a staging workspace)."
)
@click.option("-v", "--verbose", count=True, help="More detail (-vv: HTTP requests).")
@click.option("--no-color", is_flag=True, help="No colour (also: NO_COLOR).")
@click.pass_context
def cli(
    ctx: click.Context,
    config_file: Path | None,
    content: Path | None,
    api_url: str | None,
    sandbox: bool,
    ignore_pins: bool,
    verbose: int,
    no_color: bool,
) -> None:
    """Keep an Intercom Help Center in git: validate, plan, apply."""
    color = not no_color and "NO_COLOR" not in os.environ and _stdout().isatty()
    ctx.obj = Options(config_file, content, api_url, sandbox, ignore_pins, verbose, color)
    if verbose:
        logging.basicConfig(
            level=logging.DEBUG if verbose > 1 else logging.INFO,
            format="%(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
        logging.getLogger("httpx").setLevel(logging.WARNING)


# ---- shared steps ------------------------------------------------------------------------


def _load(config: Config) -> DesiredState:
    desired = load_content(
        config.content_dir,
        api_version=config.api_version,
        default_author=config.default_author,
        assets_base_url=config.assets_base_url,
    )
    return desired


def _read(client: IntercomClient, desired: DesiredState) -> tuple[DesiredState, LiveState]:
    """The live state, and the content with its authors as the admin ids Intercom knows."""
    live = read_live(client)
    return resolve_authors(desired, admin_ids(client.list_admins())), live


def _plan(options: Options, config: Config, desired: DesiredState, live: LiveState, target: str,
          exact: bool) -> Plan:  # fmt: skip
    settings = PlanOptions(
        max_delete_fraction=config.max_delete_fraction,
        api_url=target,
        api_version=config.api_version,
        pins_ignored=options.pins_ignored(),
        exact=exact,
    )
    return make_plan(desired, live, settings)


@contextlib.contextmanager
def _client(
    options: Options, config: Config, desired: DesiredState | None = None
) -> Iterator[tuple[IntercomClient, str]]:
    """An Intercom client, or one bound to the embedded sandbox with --sandbox (its help
    centers made from the content's folders, with the content's default locales)."""
    if options.sandbox:
        from contentsync.sandbox import SANDBOX_TOKEN, running_sandbox

        folders = (
            sorted(p.name for p in config.content_dir.iterdir() if p.is_dir() and p.name[0] != ".")
            if config.content_dir.is_dir()
            else []
        )
        locales = (
            {hc.identifier: hc.default_locale for hc in desired.help_centers} if desired else {}
        )
        state = config.root / SANDBOX_STATE
        state.parent.mkdir(parents=True, exist_ok=True)
        admins = emails(desired) if desired else []
        languages = {
            hc.identifier: hc.locales
            for hc in (desired.help_centers if desired else ())
            if hc.locales
        }
        with (
            running_sandbox(
                state, folders, default_locales=locales, admins=admins, locales=languages
            ) as sandbox,
            IntercomClient(sandbox.url, SANDBOX_TOKEN, api_version=config.api_version) as client,
        ):
            yield client, "sandbox"
        return
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise ConfigError(
            f"{TOKEN_ENV} is not set: create an access token in Intercom's Developer Hub and "
            "export it, or try everything with --sandbox"
        )
    url = check_api_url(config.api_url)
    with IntercomClient(url, token, api_version=config.api_version) as client:
        yield client, url


def _known_ids(live: LiveState) -> set[str]:
    return {n.id for n in live.nodes}


def _step_summary(markdown: str) -> None:
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(markdown.rstrip() + "\n\n")


# ---- commands -------------------------------------------------------------------------------


@cli.command()
@click.pass_obj
def validate(options: Options) -> None:
    """Check the content files offline: YAML, schema, references, locales."""
    desired = _load(options.config())
    for warning in desired.warnings:  # said once, here: plan and apply do not repeat them
        _err(warning)
    nodes = [n for hc in desired.help_centers for n, _, _ in walk(hc.children)]
    collections = sum(1 for n in nodes if n.kind == "collection")
    articles = len(nodes) - collections
    translations = sum(len(n.translations) for n in nodes)
    click.echo(
        f"Valid: {len(desired.help_centers)} help center(s), {collections} collection(s), "
        f"{articles} article(s), {translations} translation(s)."
    )


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
@click.option("--out", type=click.Path(path_type=Path), help="Write the plan file (JSON) here.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@click.option("--max-chars", type=click.IntRange(min=1000), help="Cut markdown to this size.")
@click.option("--exact", is_flag=True, help="Never pair leftovers into renames and moves.")
@click.pass_obj
def plan(
    options: Options,
    fmt: str,
    out: Path | None,
    detailed_exitcode: bool,
    max_chars: int | None,
    exact: bool,
) -> None:
    """Show what apply would change."""
    config = options.config()
    desired = _load(config)
    with _client(options, config, desired) as (client, target):
        desired, live = _read(client, desired)
    result = _plan(options, config, desired, live, target, exact)
    stream = _stdout()
    if fmt == "json":
        stream.write(render.render_json(result))
    elif fmt == "markdown":
        stream.write(render.render_markdown(result, max_chars=max_chars) + "\n")
    else:
        render.render_text(result, stream, color=options.color)
    if out is not None:
        out.write_text(render.render_json(result), encoding="utf-8")
        _err(f"Plan written to {out}; apply it with: contentsync apply {out}")
    _step_summary(render.render_markdown(result))
    if detailed_exitcode and not result.empty:
        raise Exit(EXIT_CHANGES)


@cli.command()
@click.argument("planfile", required=False, type=click.Path(path_type=Path))
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--parallelism", type=click.IntRange(1, 64), help="Requests in flight (default 8).")
@click.option("--allow-mass-delete", is_flag=True, help="Allow deleting over the safety limit.")
@click.option("--exact", is_flag=True, help="Never pair leftovers into renames and moves.")
@click.pass_obj
def apply(
    options: Options,
    planfile: Path | None,
    auto_approve: bool,
    parallelism: int | None,
    allow_mass_delete: bool,
    exact: bool,
) -> None:
    """Apply a fresh plan (after confirmation) or exactly the plan in PLANFILE."""
    config = options.config()
    saved = _read_planfile(planfile) if planfile else None
    desired = _load(config)
    with _client(options, config, desired) as (client, target):
        desired, live = _read(client, desired)
        if saved is not None:
            try:
                _check_fresh(saved, desired, live, target)
            except StalePlan as exc:
                _step_summary(render.render_refusal_markdown(str(exc)))
                raise
            chosen = saved.with_texts(
                {
                    node.path: (node.fields, node.translations)
                    for hc in desired.help_centers
                    for node, _, _ in walk(hc.children)
                }
            )
        else:
            chosen = _plan(options, config, desired, live, target, exact)
        stream = _stdout()
        render.render_text(chosen, stream, color=options.color)
        if chosen.empty:
            _step_summary(render.render_markdown(chosen))
            return
        try:
            chosen.raise_if_unsafe(allow_mass_delete=allow_mass_delete)
            if saved is None and not auto_approve:
                _confirm()
        except ContentsyncError as exc:  # the job summary says why nothing was applied
            refusal = render.render_refusal_markdown(str(exc))
            _step_summary(render.render_markdown(chosen) + "\n" + refusal)
            raise
        report = _run(chosen, client, parallelism or config.parallelism, _known_ids(live))
    render.render_report_text(report, stream)
    _step_summary(render.render_markdown(chosen) + "\n" + render.render_report_markdown(report))
    if report.interrupted:
        raise Exit(EXIT_INTERRUPTED)
    if not report.ok:
        raise ApplyFailed("apply stopped part way: see what was done and what was not", report)


def _read_planfile(path: Path) -> Plan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanRefused(f"{path}: cannot read the plan file ({exc.strerror})") from None
    except ValueError:
        raise PlanRefused(f"{path}: not a contentsync plan file (not JSON)") from None
    if not isinstance(data, dict):
        raise PlanRefused(f"{path}: not a contentsync plan file")
    return Plan.from_dict(data)


def _check_fresh(saved: Plan, desired: DesiredState, live: LiveState, target: str) -> None:
    if saved.api_url != target:
        raise StalePlan(f"stale plan: it was made against {saved.api_url}, not {target}")
    if saved.content_digest != content_digest(desired):
        raise StalePlan("stale plan: the content changed since the plan was made; plan again")
    if saved.live_digest != live_digest(saved.changes, live):
        raise StalePlan(
            "stale plan: the live help center changed since the plan was made; plan again"
        )


def _confirm() -> None:
    if not sys.stdin.isatty():
        raise NotConfirmed(
            "refusing to apply: no terminal to confirm on. Review the plan, then pass "
            "--auto-approve, or apply a saved plan file"
        )
    answer = click.prompt(
        "Apply these changes? Only 'yes' is accepted", default="", show_default=False
    )
    if answer.strip() != "yes":
        raise NotConfirmed("apply cancelled: nothing was changed")


def _run(plan: Plan, client: IntercomClient, parallelism: int, known: set[str]) -> ApplyReport:
    stop = threading.Event()
    previous = signal.getsignal(signal.SIGINT)

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _err("Interrupted: finishing the requests in flight, starting no more (again to abort).")

    signal.signal(signal.SIGINT, on_sigint)
    try:
        if _stdout().isatty():
            return _run_with_progress(plan, client, parallelism, known, stop)

        def line(result: ActionResult) -> None:
            ident = f" -> {result.id}" if result.id and result.change.action == "create" else ""
            detail = f" ({result.detail})" if result.detail else ""
            click.echo(
                f"{result.status}: {result.change.action} {result.change.label}{ident}{detail}"
            )

        return apply_plan(
            plan, client, parallelism=parallelism, known_ids=known, on_result=line, stop=stop
        )
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_with_progress(
    plan: Plan, client: IntercomClient, parallelism: int, known: set[str], stop: threading.Event
) -> ApplyReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("[bold]applying"), BarColumn(), MofNCompleteColumn(), transient=True
    ) as progress:
        task = progress.add_task("apply", total=len(plan.changes))

        def advance(result: ActionResult) -> None:
            progress.advance(task)
            if result.status == "failed":
                progress.console.print(f"[red]failed[/red]: {result.change.label}: {result.detail}")

        return apply_plan(
            plan, client, parallelism=parallelism, known_ids=known, on_result=advance, stop=stop
        )


@cli.command()
@click.option("--out", type=click.Path(path_type=Path), help="Content directory to write.")
@click.option("--help-center", "identifiers", multiple=True, help="Only this help center.")
@click.pass_obj
def export(options: Options, out: Path | None, identifiers: tuple[str, ...]) -> None:
    """Write the live help centers as content files, ids pinned."""
    config = options.config()
    target = out or config.content_dir
    with _client(options, config) as (client, _):
        live = read_live(client)
        emails = {str(a["id"]): str(a["email"]) for a in client.list_admins() if a.get("email")}
    known = {h.identifier: h for h in live.help_centers}
    missing = [i for i in identifiers if i not in known]
    if missing:
        raise ConfigError(
            f"no help center named {', '.join(missing)} (live: {', '.join(sorted(known))})"
        )
    chosen = [known[i] for i in identifiers] if identifiers else list(known.values())
    for hc in chosen:
        folder = target / hc.identifier
        if folder.is_dir() and any(folder.iterdir()):
            raise ConfigError(
                f"{folder} already holds content files: export into an empty directory "
                "(--out) and compare"
            )
    for hc in chosen:
        folder = target / hc.identifier
        folder.mkdir(parents=True, exist_ok=True)
        files = export_help_center(live, hc, emails=emails)
        for name, text in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        click.echo(f"Exported {hc.identifier}: {len(files) - 1} file(s) in {folder}")


@cli.command("schemas")
@click.argument("directory", type=click.Path(path_type=Path), default=Path("schemas"))
def schemas_command(directory: Path) -> None:
    """Write the JSON Schemas for the content files (for editors)."""
    for path in write_all(directory):
        click.echo(f"wrote {path}")


@cli.group()
def sandbox() -> None:
    """The embedded Intercom Help Center emulator."""


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--state", type=click.Path(path_type=Path), help="JSON file to keep state in.")
@click.option("--help-center", "identifiers", multiple=True, help="Seed this help center.")
@click.option(
    "--latency-ms",
    default=0.0,
    type=click.FloatRange(min=0),
    help="Answer each request this long after it arrives.",
)
@click.option("--fault-rate", default=0.0, type=click.FloatRange(0, 1))
@click.option("--fault-seed", default=0, type=int)
@click.option("--rate-limit", type=click.IntRange(min=1), help="Requests per 10 s window.")
@click.option(
    "--admin",
    "admins",
    multiple=True,
    metavar="EMAIL",
    help="A teammate who can author articles, besides the token's owner.",
)
def sandbox_serve(
    host: str,
    port: int,
    state: Path | None,
    identifiers: tuple[str, ...],
    latency_ms: float,
    fault_rate: float,
    fault_seed: int,
    rate_limit: int | None,
    admins: tuple[str, ...],
) -> None:
    """Serve the sandbox over HTTP until Ctrl-C."""
    from contentsync.sandbox import SANDBOX_TOKEN, FaultConfig, SandboxOptions, serve

    click.echo(f"Sandbox on http://{host}:{port} (token: {SANDBOX_TOKEN!r}); Ctrl-C stops it.")
    faults = FaultConfig(rate=fault_rate, seed=fault_seed)
    options = SandboxOptions(latency_ms=latency_ms, faults=faults, rate_limit=rate_limit)
    serve(host, port, state, identifiers, options, admins)


# ---- entry point ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> NoReturn:
    verbose = "-v" in (argv or sys.argv[1:]) or "--verbose" in (argv or sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="contentsync", standalone_mode=False)
        code = EXIT_OK
    except Exit as exc:
        code = exc.code
    except ProblemsError as exc:
        for problem in exc.problems:
            _err(str(problem))
        n = len(exc.problems)
        _err(f"{n} problem{'s' if n != 1 else ''} found.")
        code = EXIT_ERROR
    except ApplyFailed as exc:
        _err(f"error: {exc}")
        code = EXIT_ERROR
    except ContentsyncError as exc:
        _err(f"error: {exc}")
        code = EXIT_ERROR
    except click.exceptions.Abort:
        _err("Interrupted.")
        code = EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        code = EXIT_ERROR
    except KeyboardInterrupt:
        _err("Interrupted.")
        code = EXIT_INTERRUPTED
    except OSError as exc:  # a file we were told to write, a port we were told to use
        where = f"{exc.filename}: " if exc.filename else ""
        _err(f"error: {where}{exc.strerror or exc}")
        code = EXIT_ERROR
    except Exception as exc:
        if verbose:
            traceback.print_exc()
        _err(f"internal error: {exc!r} (this is a bug; -v shows the traceback)")
        code = EXIT_ERROR
    sys.exit(code)
