"""contentsync.yaml, flags and environment -> one Config. The token is not part of it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from contentsync.errors import ConfigError, ContentError
from contentsync.schemas import config_schema
from contentsync.validation import schema_problems
from contentsync.yamldoc import read_document

CONFIG_FILE = "contentsync.yaml"
DEFAULT_API_URL = "https://api.intercom.io"


@dataclass(frozen=True)
class Config:
    root: Path
    content_dir: Path
    api_url: str
    api_version: str = "2.9"
    parallelism: int = 8
    max_delete_fraction: float = 0.25
    assets_base_url: str | None = None
    default_author: str | None = None


def load_config(
    config_file: Path | None,
    *,
    content_dir: Path | None = None,
    api_url: str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Config:
    """Flags win over the environment (INTERCOM_API_URL, INTERCOM_API_VERSION), which wins
    over the file, which wins over defaults."""
    if config_file is None and Path(CONFIG_FILE).is_file():
        config_file = Path(CONFIG_FILE)
    data: dict[str, object] = {}
    root = Path.cwd()
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"{config_file}: config file not found")
        document = read_document(config_file, str(config_file))
        if document.data is not None:
            problems = [*document.problems, *schema_problems(document, config_schema())]
            if problems:
                raise ContentError(problems)
            data = document.data
        root = config_file.parent
    safety = data.get("safety") or {}
    assert isinstance(safety, dict)
    directory = content_dir or root / str(data.get("content_dir", "content"))
    return Config(
        root=root,
        content_dir=directory,
        api_url=api_url
        or environ.get("INTERCOM_API_URL")
        or str(data.get("api_url", DEFAULT_API_URL)),
        api_version=_api_version(environ.get("INTERCOM_API_VERSION"))
        or str(data.get("api_version", "2.9")),
        parallelism=int(str(data.get("parallelism", 8))),
        max_delete_fraction=float(str(safety.get("max_delete_fraction", 0.25))),
        assets_base_url=None if "assets_base_url" not in data else str(data["assets_base_url"]),
        default_author=None if "default_author" not in data else str(data["default_author"]),
    )


def _api_version(value: str | None) -> str | None:
    """INTERCOM_API_VERSION, checked as the file's api_version is (the action's api-version)."""
    if not value:
        return None
    allowed = [str(v) for v in config_schema()["properties"]["api_version"]["enum"]]
    if value not in allowed:
        raise ConfigError(f"INTERCOM_API_VERSION {value!r} is not one of {', '.join(allowed)}")
    return value
