"""An emulator of Intercom's Help Center, articles and admins (API 2.9, and 2.10 to 2.16 in the
2.16 shape), for trying contentsync without an account and for testing it over real HTTP. See
app.py for what it emulates and how."""

from contentsync.sandbox.app import SANDBOX_TOKEN, FaultConfig, SandboxOptions, create_app
from contentsync.sandbox.server import RunningSandbox, running_sandbox, serve
from contentsync.sandbox.state import SandboxState

__all__ = [
    "SANDBOX_TOKEN",
    "FaultConfig",
    "RunningSandbox",
    "SandboxOptions",
    "SandboxState",
    "create_app",
    "running_sandbox",
    "serve",
]
