"""GitHub Actions workflow commands for located problems: `::error file=...,line=...::message`.

The runner reads these lines from a step's output and shows each problem on the pull request's
diff. Escaping follows the runner's rules (actions/toolkit, command.ts): in the message
`%`, CR and LF; in property values also `:` and `,`, which would otherwise end the value.
"""

from __future__ import annotations

from contentsync.errors import Problem


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def error_annotation(problem: Problem) -> str:
    properties = [f"file={escape_property(problem.path)}"]
    if problem.line:
        properties.append(f"line={problem.line}")
        if problem.column:
            properties.append(f"col={problem.column}")
    message = f"{problem.field}: {problem.message}" if problem.field else problem.message
    return f"::error {','.join(properties)}::{escape_data(message)}"
