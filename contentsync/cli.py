"""The command line: the only module that prints, prompts, catches errors and picks exit codes.

Exit codes: 0 success (plan: no changes), 1 any error, refusal or partial apply, 2 plan has
changes (with --detailed-exitcode), 130 interrupted.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import re
import shlex
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import click

from contentsync import __version__, render
from contentsync.annotations import error_annotation
from contentsync.apply import ActionResult, ApplyReport, apply_plan
from contentsync.authors import admin_ids, emails, resolve_authors
from contentsync.cli_github import github
from contentsync.client import IntercomClient, check_api_url, is_loopback
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
from contentsync.projections import Projections
from contentsync.schemas import write_all

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_INTERRUPTED = 0, 1, 2, 130
TOKEN_ENV = "INTERCOM_ACCESS_TOKEN"
SCRATCH = Path(".contentsync")  # contentsync's own files beside the content, never committed
PROJECTIONS = "projections"  # what plan remembers of article bodies (contentsync/projections.py)


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


class _Commands(click.Group):
    """The top-level command. Its options are global: they are accepted after the command
    too (`contentsync plan -v`, `validate --no-color`), because parse_args moves them in
    front of it. One definition serves every command, and `--help` lists them once."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args, self.params))


def hoist_global_options(args: Sequence[str], params: Sequence[click.Parameter]) -> list[str]:
    """`args` with the global options found after the command name moved before it. Stops
    at `--`; an option's value moves with it (`plan --content docs` -> `--content docs plan`)."""
    takes_value: dict[str, bool] = {}
    for param in params:
        if isinstance(param, click.Option):
            for name in param.opts:
                takes_value[name] = not (param.is_flag or param.count)
    counted = [n[1] for n in takes_value if len(n) == 2 and not takes_value[n]]
    bundle = re.compile(f"-[{''.join(counted)}]+") if counted else None

    def width(i: int) -> int:
        """How many words the global option at args[i] takes up; 0 if it is not one."""
        word = args[i]
        name = word.split("=", 1)[0]
        if name in takes_value:
            return 2 if takes_value[name] and "=" not in word and i + 1 < len(args) else 1
        return 1 if bundle is not None and bundle.fullmatch(word) else 0

    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":
        i += width(i) or 1
    if i >= len(args) or args[i] == "--":
        return list(args)
    moved: list[str] = []
    kept = [args[i]]
    j = i + 1
    while j < len(args):
        if args[j] == "--":
            kept += args[j:]
            break
        n = width(j)
        (moved if n else kept).extend(args[j : j + (n or 1)])
        j += n or 1
    return [*args[:i], *moved, *kept]


_EXIT_CODES = """\b
Exit codes:
  0    success (plan: no changes)
  1    an error, a refusal, or an apply that stopped part way
  2    plan found changes (only with --detailed-exitcode)
  130  interrupted (Ctrl-C)"""

_GLOBAL_NOTE = (
    "Global options (--config, --content, --api-url, --sandbox, --ignore-pins, -v, "
    "--no-color) may also "
    "follow the command: see contentsync --help."
)


def _epilog(examples: str) -> str:
    return f"\b\nExamples:\n{examples}\n\n{_GLOBAL_NOTE}\n\n{_EXIT_CODES}"


@click.group(
    cls=_Commands,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=f"""\b
Examples:
  contentsync validate                   check the files, offline
  contentsync --sandbox plan             try it all without an Intercom account
  contentsync plan --out plan.json       show what apply would change, and keep the plan
  contentsync apply plan.json            make exactly those changes (refused if stale)
  contentsync export --out exported      write what Intercom holds as content files

Global options are accepted before or after the command: contentsync plan -v --sandbox.
Run contentsync COMMAND --help for a command's options.

{_EXIT_CODES}""",
)
@click.version_option(__version__, prog_name="contentsync")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    help="Project config file.  [default: ./contentsync.yaml when present]",
)
@click.option(
    "--content",
    type=click.Path(path_type=Path),
    help="Content directory.  [default: content_dir from the config, else ./content]",
)
@click.option(
    "--api-url",
    metavar="URL",
    help="Intercom API base URL, e.g. https://api.eu.intercom.io.  [default: "
    "INTERCOM_API_URL, else api_url from the config, else https://api.intercom.io]",
)
@click.option(
    "--sandbox",
    is_flag=True,
    help="Talk to the embedded Intercom emulator instead of Intercom: no account or token "
    "needed. Its state is kept in .contentsync/ (ignored by git). Pins are not used: "
    "the sandbox's ids are not Intercom's.",
)
@click.option(
    "--ignore-pins",
    is_flag=True,
    help="Match objects by name, not by their pinned ids (a staging workspace, whose ids are "
    "not production's).",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="-v: the target, requests and timings; -vv: every HTTP request; -vvv: also the "
    "HTTP libraries' own debug output.",
)
@click.option("--no-color", is_flag=True, help="No colours (also when NO_COLOR is set).")
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
    """Keep an Intercom Help Center in git: validate, plan, apply.

    The files under content/ are the truth. plan compares them with what Intercom holds and
    lists the changes; apply makes them, after you confirm or exactly as a saved plan file
    says. Set INTERCOM_ACCESS_TOKEN to an access token of your Intercom workspace.
    """
    color = not no_color and "NO_COLOR" not in os.environ and _stdout().isatty()
    ctx.obj = Options(config_file, content, api_url, sandbox, ignore_pins, verbose, color)
    _start_logging(verbose)


class _LogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler -v installs (a type of its own, so a second run in one process replaces it)."""


def _start_logging(verbose: int) -> None:
    """-v: contentsync's INFO (the target, each list read, requests and timings per kind);
    -vv: its DEBUG too (every HTTP request); -vvv: every library's DEBUG (httpx, httpcore,
    uvicorn), which is noise unless you debug the transport."""
    _stop_logging()
    if not verbose:
        return
    handler = _LogHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(message)s" if verbose == 1 else "%(name)s: %(message)s")
    )
    ours = logging.getLogger("contentsync")
    ours.setLevel(logging.INFO if verbose == 1 else logging.DEBUG)
    if verbose >= 3:
        root = logging.getLogger()
        root.setLevel(logging.DEBUG)
        root.addHandler(handler)
    else:
        ours.addHandler(handler)
        ours.propagate = False


def _stop_logging() -> None:
    root, ours = logging.getLogger(), logging.getLogger("contentsync")
    if any(isinstance(h, _LogHandler) for h in root.handlers):
        root.setLevel(logging.WARNING)
    for logger in (root, ours):
        for handler in [h for h in logger.handlers if isinstance(h, _LogHandler)]:
            logger.removeHandler(handler)
    ours.propagate = True
    ours.setLevel(logging.NOTSET)


log = logging.getLogger("contentsync.cli")


# ---- shared steps ------------------------------------------------------------------------


def _load(config: Config) -> DesiredState:
    folder = config.content_dir
    if not folder.is_dir() or not any(not p.name.startswith(".") for p in folder.iterdir()):
        state = "is empty" if folder.is_dir() else "does not exist"
        raise ConfigError(
            f"the content directory {_shown(folder)} {state}. Start from what Intercom "
            f"already holds with `contentsync export` (it writes {_shown(folder)}/<help-center>/"
            "...; add --sandbox to try it on the sandbox), or write the files by hand (README: "
            "Content format), or point at your content with --content DIR"
        )
    desired = load_content(
        folder,
        api_version=config.api_version,
        default_author=config.default_author,
        assets_base_url=config.assets_base_url,
    )
    return desired


def _read(client: IntercomClient, desired: DesiredState) -> tuple[DesiredState, LiveState]:
    """The live state, and the content with its authors as the admin ids Intercom knows."""
    live = _read_live(client)
    return resolve_authors(desired, admin_ids(client.list_admins())), live


@dataclass(frozen=True)
class Target:
    """What a command talks to: `api_url` identifies it in plan files ("sandbox" or the URL),
    `description` names it for people."""

    api_url: str
    description: str


def _scratch(config: Config, name: str) -> Path:
    """A file of contentsync's own, in a folder that tells git to ignore it: the embedded
    sandbox's state (a scratch copy of "Intercom") and the remembered projections of article
    bodies are not content, and must not end up in a commit."""
    folder = config.root / SCRATCH
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# contentsync's scratch files: not content, never committed\n*\n")
    return folder / name


@contextlib.contextmanager
def _client(
    options: Options, config: Config, desired: DesiredState | None = None
) -> Iterator[tuple[IntercomClient, Target]]:
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
        state = _scratch(config, "sandbox.json")
        target = Target("sandbox", f"the embedded sandbox ({_shown(state)})")
        log.info("target: %s, Intercom API %s", target.description, config.api_version)
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
            yield client, target
        return
    url = check_api_url(config.api_url)
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise ConfigError(f"{TOKEN_ENV} is not set: {_token_hint(url)}")
    log.info("target: %s, Intercom API %s", url, config.api_version)
    with IntercomClient(url, token, api_version=config.api_version) as client:
        yield client, Target(url, url)


def _token_hint(url: str) -> str:
    if is_loopback(urlsplit(url).hostname or ""):
        from contentsync.sandbox import SANDBOX_TOKEN

        return (
            f"{url} is on this machine; if it is `contentsync sandbox serve`, export "
            f"{TOKEN_ENV}={SANDBOX_TOKEN} (the token it printed when it started)"
        )
    return (
        "create an access token in Intercom's Developer Hub (an app with Help Center read and "
        "write) and export it, or try everything with --sandbox"
    )


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _plan(
    options: Options,
    config: Config,
    desired: DesiredState,
    live: LiveState,
    target: Target,
    exact: bool,
) -> Plan:
    settings = PlanOptions(
        max_delete_fraction=config.max_delete_fraction,
        api_url=target.api_url,
        api_version=config.api_version,
        pins_ignored=options.pins_ignored(),
        exact=exact,
    )
    remembered = _scratch(config, PROJECTIONS)
    projections = Projections.load(remembered)
    plan = make_plan(desired, live, settings, projections)
    log.info("projected %d article bodies not seen before", projections.computed)
    try:
        projections.save(remembered)
    except OSError as exc:  # a cache: the plan stands without it
        log.warning("could not keep the projections in %s (%s)", _shown(remembered), exc.strerror)
    return replace(plan, target=target.description)


def _read_live(client: IntercomClient) -> LiveState:
    started = time.monotonic()
    live = read_live(client)
    log.info(
        "read the live help centers in %.2f s (%d requests)",
        time.monotonic() - started,
        client.requests_sent,
    )
    return live


def _known_ids(live: LiveState) -> set[str]:
    return {n.id for n in live.nodes}


def _step_summary(markdown: str) -> None:
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(markdown.rstrip() + "\n\n")


# ---- commands -------------------------------------------------------------------------------


@cli.command(epilog=_epilog("  contentsync validate\n  contentsync validate --content docs/help"))
@click.pass_obj
def validate(options: Options) -> None:
    """Check the content files offline: YAML, schema, references, locales.

    Every problem in every file is reported at once, as path:line:col: field: message.
    No network, no token.
    """
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


def _format_option(json: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--format` of plan and status: the same three formats, `json` said by each."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "markdown", "json"]),
        default="text",
        show_default=True,
        help=f"text for a terminal, markdown for a pull request, {json}.",
    )


@cli.command(
    epilog=_epilog(
        "  contentsync plan                                  review the changes\n"
        "  contentsync plan --out plan.json                  keep them for apply PLANFILE\n"
        "  contentsync plan --detailed-exitcode              exit 2 when there are changes\n"
        "  contentsync plan --format markdown --max-chars 60000   a pull-request comment"
    )
)
@_format_option("json for the plan file format")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    metavar="PLANFILE",
    help="Also write the plan file (JSON) here; `contentsync apply PLANFILE` applies exactly "
    "that plan, or refuses it when the content or Intercom changed since.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes (0: none, 1: error), for scripts and CI.",
)
@click.option(
    "--max-chars",
    type=click.IntRange(min=1000),
    metavar="N",
    help="With --format markdown: cut the plan to N characters (GitHub comments hold 65,536), "
    "keeping the counts and every delete.  [default: no limit]",
)
@click.option(
    "--exact",
    is_flag=True,
    help="Never pair what is left over into renames and moves: each stays a delete and a create.",
)
@click.pass_obj
def plan(
    options: Options,
    fmt: str,
    out: Path | None,
    detailed_exitcode: bool,
    max_chars: int | None,
    exact: bool,
) -> None:
    """Show what apply would change, in the order it would change it.

    Reads Intercom (list requests only) and changes nothing.
    """
    if max_chars is not None and fmt != "markdown":
        raise click.UsageError(
            f"--max-chars cuts the markdown rendering: add --format markdown (not {fmt})"
        )
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
        _err(f"Plan written to {out}; apply it with:\n  {apply_command(options, out)}")
    _step_summary(render.render_markdown(result))
    if detailed_exitcode and not result.empty:
        raise Exit(EXIT_CHANGES)


def apply_command(options: Options, planfile: Path) -> str:
    """The command that applies `planfile`: the same flags that chose the target and the
    content, since apply reads both again (never the API URL from the file: a plan file that
    was tampered with must not send the token elsewhere)."""
    words = ["contentsync"]
    if options.config_file is not None:
        words += ["--config", str(options.config_file)]
    if options.content is not None:
        words += ["--content", str(options.content)]
    if options.api_url is not None:
        words += ["--api-url", options.api_url]
    if options.sandbox:
        words.append("--sandbox")
    if options.ignore_pins:
        words.append("--ignore-pins")
    return shlex.join([*words, "apply", str(planfile)])


@cli.command(
    epilog=_epilog(
        "  contentsync apply                      plan, show it, ask, apply\n"
        "  contentsync apply plan.json            apply exactly a reviewed plan\n"
        "  contentsync apply --auto-approve       no question (CI)"
    )
)
@click.argument("planfile", required=False, type=click.Path(path_type=Path))
@click.option(
    "--auto-approve",
    is_flag=True,
    help="Apply a fresh plan without asking. Without a terminal, apply needs this or PLANFILE.",
)
@click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    metavar="N",
    help="Requests in flight at once (1-64).  [default: parallelism from the config, else 8]",
)
@click.option(
    "--allow-mass-delete",
    is_flag=True,
    help="Apply even when a help center loses more than safety.max_delete_fraction (25%) of "
    "its objects.",
)
@click.option(
    "--exact",
    is_flag=True,
    help="Never pair what is left over into renames and moves: each stays a delete and a create.",
)
@click.pass_obj
def apply(
    options: Options,
    planfile: Path | None,
    auto_approve: bool,
    parallelism: int | None,
    allow_mass_delete: bool,
    exact: bool,
) -> None:
    """Make the changes: a fresh plan after you confirm, or exactly the plan in PLANFILE.

    A saved plan is refused when the content, Intercom, the target or the API version changed
    since it was made. Ctrl-C stops starting new requests and lets those in flight finish;
    the report says what was done and what was not.
    """
    config = options.config()
    saved = _read_planfile(planfile) if planfile else None
    desired = _load(config)
    with _client(options, config, desired) as (client, target):
        desired, live = _read(client, desired)
        if saved is not None:
            try:
                _check_fresh(saved, desired, live, target, config, options)
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


def _check_fresh(
    saved: Plan,
    desired: DesiredState,
    live: LiveState,
    target: Target,
    config: Config,
    options: Options,
) -> None:
    if saved.api_url != target.api_url:
        raise StalePlan(
            f"stale plan: it was made against {saved.api_url}, not {target.api_url}; plan again "
            "against this target (apply never takes the API URL from a plan file)"
        )
    if saved.api_version != config.api_version:
        raise StalePlan(
            f"stale plan: it was made with Intercom API {saved.api_version}, not "
            f"{config.api_version}; plan again"
        )
    if saved.pins_ignored != options.pins_ignored():
        made = f"with {saved.pins_ignored}" if saved.pins_ignored else "with pinned ids honoured"
        now = f"with {options.pins_ignored()}" if options.pins_ignored() else "without it"
        raise StalePlan(
            f"stale plan: it was made {made}, and is applied {now}: objects are matched "
            "differently; plan again the way you will apply"
        )
    if saved.content_digest != content_digest(desired):
        raise StalePlan("stale plan: the content changed since the plan was made; plan again")
    remembered = Projections.load(_scratch(config, PROJECTIONS))
    if saved.live_digest != live_digest(saved.changes, live, remembered):
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


class Abandoned(BaseException):
    """A second Ctrl-C during apply: stop at once, without waiting for requests in flight.
    Not a KeyboardInterrupt, which click turns into a bare Abort on the way out."""


class _Commentary:
    """What a running apply tells the person watching: each finished action on its own line,
    why it stalls (Intercom's rate limit), and Ctrl-C. In a terminal the lines go above a
    progress bar; elsewhere (CI logs) they are plain lines. Called from apply's threads."""

    def __init__(self, progress: Progress | None = None, task: TaskID | None = None) -> None:
        self.progress, self.task = progress, task
        self.lock = threading.Lock()
        self.waiting_until = 0.0

    def say(self, text: str) -> None:
        if self.progress is not None:
            self.progress.console.print(text, markup=False, highlight=False)
        else:
            click.echo(text)

    def result(self, result: ActionResult) -> None:
        with self.lock:
            self.say(render.result_line(result))
            if self.progress is not None and self.task is not None:
                self.progress.update(self.task, advance=1, description="applying")

    def rate_wait(self, seconds: float) -> None:
        """Said once per wait, however many threads wait for the same window."""
        until = time.monotonic() + seconds
        with self.lock:
            if until < self.waiting_until + 0.5:
                return
            self.waiting_until = until
            message = f"waiting {math.ceil(seconds)} s for Intercom's rate limit"
            if self.progress is not None and self.task is not None:
                self.progress.update(self.task, description=message)
            else:
                self.say(message)

    def interrupted(self) -> None:
        message = (
            "Interrupted: finishing the requests in flight, starting no more. "
            "Ctrl-C again to quit at once."
        )
        if self.progress is not None:
            self.say(message)
        else:  # after the terminal's own "^C", on a line of its own
            _err(("\n" if sys.stderr.isatty() else "") + message)


def _run(plan: Plan, client: IntercomClient, parallelism: int, known: set[str]) -> ApplyReport:
    with _commentary(len(plan.changes)) as commentary:
        stop = threading.Event()
        previous = signal.getsignal(signal.SIGINT)

        def on_sigint(signum: int, frame: FrameType | None) -> None:
            if stop.is_set():
                raise Abandoned
            stop.set()
            commentary.interrupted()

        signal.signal(signal.SIGINT, on_sigint)
        client.on_rate_wait = commentary.rate_wait
        try:
            return apply_plan(
                plan,
                client,
                parallelism=parallelism,
                known_ids=known,
                on_result=commentary.result,
                stop=stop,
            )
        finally:
            client.on_rate_wait = None
            signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _commentary(total: int) -> Iterator[_Commentary]:
    if not _stdout().isatty():
        yield _Commentary()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), transient=True
    ) as progress:
        yield _Commentary(progress, progress.add_task("applying", total=total))


@cli.command(
    epilog=_epilog(
        "  contentsync export                         into the content directory (empty)\n"
        "  contentsync export --out exported          elsewhere, to compare\n"
        "  contentsync export --help-center acme-help   one help center only"
    )
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Directory to write the help center folders into.  [default: the content directory]",
)
@click.option(
    "--help-center",
    "identifiers",
    multiple=True,
    metavar="IDENT",
    help="Only this help center (its identifier in Intercom); repeat for more.  [default: all]",
)
@click.pass_obj
def export(options: Options, out: Path | None, identifiers: tuple[str, ...]) -> None:
    """Write the live help centers as content files, ids pinned.

    validate accepts what it writes and plan then shows no changes: the way to start from a
    help center that already exists. It refuses to write over a folder that holds content.
    The JSON Schemas the files point at (for editors) go to schemas/ beside DIR.
    """
    config = options.config()
    target = out or config.content_dir
    with _client(options, config) as (client, _):
        live = _read_live(client)
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
    # The files' modelines point at <DIR>/../schemas: write them there so editors find them.
    schemas = write_all(target.resolve().parent / "schemas")
    click.echo(f"Wrote the JSON Schemas the files point at to {_shown(schemas[0].parent)}")


@cli.command(
    epilog=_epilog(
        "  contentsync status\n"
        "  contentsync status --locale fr\n"
        "  contentsync status --fail-on missing --fail-on stale\n"
        "  contentsync status --changed-since origin/main --format markdown"
    )
)
@_format_option("json for tools (docs/status.md)")
@click.option(
    "--fail-on",
    type=click.Choice(["missing", "stale"]),
    multiple=True,
    help="Exit 1 when a translation is missing or stale (a CI gate).",
)
@click.option("--locale", help="List this locale's stale and missing translations.")
@click.option(
    "--changed-since",
    metavar="REV",
    help="Say which translations the commits since REV make stale.",
)
@click.pass_obj
def status(
    options: Options,
    fmt: str,
    fail_on: tuple[str, ...],
    locale: str | None,
    changed_since: str | None,
) -> None:
    """Translation coverage: up to date, stale and missing, per help center and locale.

    Offline, from the content and its git history (a shallow clone needs fetch-depth: 0).
    Stale: the default-locale text changed in a commit the translation has not caught up with.
    """
    from contentsync import status_render
    from contentsync.githistory import read_history
    from contentsync.locales import LOCALE_SET
    from contentsync.status import compute_status, read_tree, text_fields, wanted

    if locale is not None and locale not in LOCALE_SET:
        raise ConfigError(f"--locale {locale}: not one of Intercom's locales")
    content = options.config().content_dir
    history = read_history(content, wanted=wanted, fields_of=text_fields, since=changed_since)
    root = os.path.relpath(content)  # paths as the user opens them from here
    tree = read_tree(history.files, root)
    report = compute_status(tree, history, root=root, since=changed_since)
    stream = _stdout()
    if fmt == "json":
        stream.write(status_render.render_json(report))
    elif fmt == "markdown":
        stream.write(status_render.render_markdown(report))
    elif locale is not None:
        stream.write(status_render.render_locale_text(report, locale))
    else:
        stream.write(status_render.render_text(report))
    failing = [e.state for e in report.entries(locale) if e.state in fail_on]
    if failing:
        found = " and ".join(
            f"{failing.count(s)} {s}" for s in ("stale", "missing") if s in failing
        )
        plural = "s" if len(failing) > 1 else ""
        raise ContentsyncError(f"{found} translation{plural} (--fail-on {', '.join(fail_on)})")


@cli.command("schemas", epilog=_epilog("  contentsync schemas\n  contentsync schemas config/"))
@click.argument("directory", type=click.Path(path_type=Path), default=Path("schemas"))
def schemas_command(directory: Path) -> None:
    """Write the JSON Schemas for the content files to DIRECTORY (default: schemas/).

    Editors with the YAML language server complete and check the files through the
    `# yaml-language-server: $schema=...` line at their top.
    """
    for path in write_all(directory):
        click.echo(f"wrote {path}")


@cli.group()
def sandbox() -> None:
    """The embedded Intercom Help Center emulator."""


@sandbox.command(
    "serve",
    epilog="""\b
Examples:
  contentsync sandbox serve --help-center acme-help --state sandbox.json
  export INTERCOM_ACCESS_TOKEN=...   (the token it prints when it starts)
  contentsync --api-url http://127.0.0.1:8000 plan

\b
  contentsync sandbox serve --help-center acme-help --latency-ms 50 \\
      --fault-rate 0.1 --fault-seed 7 --rate-limit 100
                               a slow, faulty, rate-limited Intercom

Plain `--sandbox` needs none of this: it runs the sandbox inside the command.""",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--state",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="JSON file to keep the state in, across restarts.  [default: memory only]",
)
@click.option(
    "--help-center",
    "identifiers",
    multiple=True,
    metavar="IDENT",
    help="Create this help center (name it after a content folder); repeat for more. Plan "
    "reports a content folder with no help center here as not existing in Intercom.",
)
@click.option(
    "--latency-ms",
    default=0.0,
    type=click.FloatRange(min=0),
    show_default=True,
    help="Answer each request this long after it arrives.",
)
@click.option(
    "--fault-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    show_default=True,
    help="Fraction of requests (0 to 1) that fail on purpose: 500s before or after the change "
    "is made, dropped connections, 429s.",
)
@click.option(
    "--fault-seed",
    default=0,
    type=int,
    show_default=True,
    help="Seed for the injected faults: the same seed fails the same requests.",
)
@click.option(
    "--rate-limit",
    type=click.IntRange(min=1),
    metavar="N",
    help="Answer 429 after N requests per 10 s window, as Intercom does.  [default: no limit]",
)
@click.option(
    "--admin",
    "admins",
    multiple=True,
    metavar="EMAIL",
    help="A teammate who can author articles, besides the token's owner; repeat for more.",
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
    """Serve the sandbox over HTTP until Ctrl-C, for contentsync --api-url and other tools.

    It honours pins (unlike --sandbox) and wants its own access token, printed at start.
    """
    from contentsync.sandbox import SANDBOX_TOKEN, FaultConfig, SandboxOptions, serve

    url = f"http://{host}:{port}"
    click.echo(
        f"Sandbox on {url}; Ctrl-C stops it. Point contentsync at it with:\n"
        f"  export {TOKEN_ENV}={SANDBOX_TOKEN}\n"
        f"  contentsync --api-url {url} plan"
    )
    if not identifiers:
        click.echo(
            "No --help-center given: only the help centers already in --state exist here, "
            "and plan reports any other content folder as missing. Start it with "
            "--help-center IDENT for each content folder."
        )
    faults = FaultConfig(rate=fault_rate, seed=fault_seed)
    options = SandboxOptions(latency_ms=latency_ms, faults=faults, rate_limit=rate_limit)
    serve(host, port, state, identifiers, options, admins)


cli.add_command(github)


# ---- entry point ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> NoReturn:
    args = sys.argv[1:] if argv is None else argv
    verbose = any(re.fullmatch(r"-v+|--verbose", a) for a in args)
    try:
        cli.main(args=args, prog_name="contentsync", standalone_mode=False)
        code = EXIT_OK
    except Exit as exc:
        code = exc.code
    except ProblemsError as exc:
        for problem in exc.problems:
            _err(str(problem))
        n = len(exc.problems)
        _err(f"{n} problem{'s' if n != 1 else ''} found.")
        if os.environ.get("GITHUB_ACTIONS") == "true":  # also on the pull request's diff
            for problem in exc.problems:
                _err(error_annotation(problem))
        code = EXIT_ERROR
    except ContentsyncError as exc:
        _err(f"error: {exc}")
        code = EXIT_ERROR
    except Abandoned:
        _err(
            "\nStopped at once. Requests that were in flight may or may not have been carried "
            "out by Intercom: run `contentsync plan` to see what is left to do."
        )
        code = EXIT_INTERRUPTED
    except (click.exceptions.Abort, KeyboardInterrupt):
        _err("Interrupted.")
        code = EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        code = EXIT_ERROR
    except OSError as exc:  # a file we were told to write, a port we were told to use
        where = f"{exc.filename}: " if exc.filename else ""
        _err(f"error: {where}{exc.strerror or exc}")
        code = EXIT_ERROR
    except Exception as exc:
        if verbose:
            traceback.print_exc()
        _err(f"internal error: {exc!r} (this is a bug; -v shows the traceback)")
        code = EXIT_ERROR
    finally:
        _stop_logging()
    sys.exit(code)
