"""Hypothesis runs the same examples on every run by default, so a red CI run is the code's,
never the draw's; `HYPOTHESIS_PROFILE=explore` draws new examples each run, to look for more."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
