"""Shared pytest configuration for every package's tests (pytest finds it from the root).

Hypothesis runs derandomized by default, so CI explores the same examples on every run and a
red build is never a roll of the dice; ``HYPOTHESIS_PROFILE=explore`` draws fresh examples.
"""

from __future__ import annotations

import os

try:
    from hypothesis import settings
except ImportError:  # sessions without hypothesis (layout, versions) need none of this
    pass
else:
    settings.register_profile("ci", derandomize=True, deadline=None)
    settings.register_profile("explore", deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
