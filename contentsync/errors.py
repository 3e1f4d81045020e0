"""Every error contentsync raises on purpose. Only cli.py turns them into messages and exit codes.

ContentsyncError
├── ConfigError            contentsync.yaml, flags or environment are unusable
├── HistoryUnavailable     status cannot read the git history it needs (no repository, shallow)
├── ProblemsError          one or more located problems, all reported together
│   ├── ContentError       the content files are invalid (validate)
│   └── IdentityError      content cannot be matched to the live state (plan)
├── PlanRefused            a plan that must not be applied
│   ├── StalePlan          content or live state changed since the plan was made
│   ├── UnsafePlan         deletes more than the safety threshold allows
│   └── NotConfirmed       nobody said yes
├── ApiError               Intercom answered with an error.list
│   ├── AuthenticationError   401: the token is wrong
│   ├── NotFound              404: the object is not there
│   └── RateLimited           429 after every retry
├── TransportError         no answer after every retry (timeouts, dropped connections)
├── GitHubError            GitHub's API refused or did not answer (the workflows' glue)
├── OutcomeUnknown         a create may or may not have happened; apply resolves it
└── ApplyFailed            apply stopped part way; carries what was done and what was not
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contentsync.apply import ApplyReport


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong at one place: rendered as `path:line:col: field: message`."""

    path: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{self.column}" if self.column else f":{self.line}"
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {field}{self.message}"


class ContentsyncError(Exception):
    """Base of every error contentsync raises on purpose."""


class ConfigError(ContentsyncError):
    pass


class HistoryUnavailable(ContentsyncError):
    pass


class ProblemsError(ContentsyncError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class ContentError(ProblemsError):
    pass


class IdentityError(ProblemsError):
    pass


class PlanRefused(ContentsyncError):
    pass


class StalePlan(PlanRefused):
    pass


class UnsafePlan(PlanRefused):
    pass


class NotConfirmed(PlanRefused):
    pass


class ApiError(ContentsyncError):
    """Intercom answered with an error. The message never contains the token."""

    def __init__(
        self, status: int, code: str, message: str, *, method: str = "", path: str = ""
    ) -> None:
        self.status = status
        self.code = code
        self.api_message = message
        self.method = method
        self.path = path
        where = f"{method} {path}: " if method else ""
        super().__init__(f"{where}HTTP {status} {code}: {message}")


class AuthenticationError(ApiError):
    pass


class NotFound(ApiError):
    pass


class RateLimited(ApiError):
    pass


class TransportError(ContentsyncError):
    pass


class GitHubError(ContentsyncError):
    """The message never contains the token."""


class OutcomeUnknown(ContentsyncError):
    """A create was sent and no trustworthy answer came back; it may or may not exist now."""


class ApplyFailed(ContentsyncError):
    def __init__(self, message: str, report: ApplyReport) -> None:
        self.report = report
        super().__init__(message)
