"""Admins (teammates, who author articles) and /me (the token's owner): the same in 2.9 and
2.16. Ids are strings here and integers in an article's author_id, as in Intercom."""

from __future__ import annotations

from typing import Any

from contentsync.sandbox.calls import WORKSPACE, Call
from contentsync.sandbox.state import SandboxState


def _admin(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "admin",
        "id": a["id"],
        "email": a["email"],
        "name": a["name"],
        "away_mode_enabled": False,
        "away_mode_reassign": False,
        "has_inbox_seat": True,
        "team_ids": [],
    }


def list_admins(state: SandboxState, call: Call) -> dict[str, Any]:
    ordered = sorted(state.admins.values(), key=lambda a: int(a["id"]))
    return {"type": "admin.list", "admins": [_admin(a) for a in ordered]}


def me(state: SandboxState, call: Call) -> dict[str, Any]:
    return {
        **_admin(state.admins[state.owner_id]),
        "email_verified": True,
        "avatar": {"type": "avatar", "image_url": None},
        "app": {
            "type": "app",
            "id_code": WORKSPACE,
            "name": "contentsync sandbox",
            "created_at": 0,
            "identity_verification": False,
            "region": "US",
            "timezone": "UTC",
        },
    }
