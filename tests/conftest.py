"""Test-wide setup: Qt runs offscreen; no test needs a display."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hypothesis import settings  # noqa: E402

# Property tests explore the same examples on every run: a failure is reproducible, and CI never fails
# on a case no developer saw. Explore new ground with HYPOTHESIS_PROFILE=explore.
settings.register_profile("repeatable", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
