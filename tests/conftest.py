"""Shared test configuration.

Property-based tests explore new random examples on every run on a
developer's machine, but in CI (``CI`` set) they are derandomised, so a
submission's result does not depend on luck; anything found locally is kept
as an explicit ``@example``.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
