"""pytest configuration for the Python tests: hypothesis profiles and the example counts.

Hypothesis profiles (chosen with the environment variable HYPOTHESIS_PROFILE):

* ``ci`` (the default): reproducible and quick. ``derandomize=True`` (the same examples on
  every run and machine), ``database=None`` (nothing read from or written to disk), a few
  hundred examples per property (300), no deadline (CI machines are noisy).
* ``long``: a long random search, e.g.
  ``HYPOTHESIS_PROFILE=long python3 -m pytest -q Tests/python/test_properties.py``;
  a failure prints the ``@reproduce_failure`` blob that replays it.
  ``HYPOTHESIS_MAX_EXAMPLES=N`` sets the examples per property of this profile (20000 if unset).

At the end of the run the terminal summary prints how many examples each property test ran
and how each ended (value compared, exception raised, ...), from the counters the property
test modules keep (a module-level ``SWIFTLOSS_HYPOTHESIS_EXAMPLES`` Counter). Nothing here
touches sys.path.
"""
import collections
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # test_properties.py reports the missing package itself
    settings = None

if settings is not None:
    _quiet = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
    settings.register_profile(
        "ci",
        derandomize=True,
        database=None,
        max_examples=300,
        deadline=None,
        print_blob=True,
        suppress_health_check=_quiet,
    )
    settings.register_profile(
        "long",
        derandomize=False,
        database=None,
        max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "20000")),
        deadline=None,
        print_blob=True,
        suppress_health_check=_quiet,
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _profile_name():
    if settings is None:
        return "none (hypothesis is not installed)"
    getter = getattr(settings, "get_current_profile_name", None)  # hypothesis >= 6.119
    return getter() if getter is not None else getattr(settings, "_current_profile", "?")


def pytest_report_header(config):
    return f"hypothesis profile: {_profile_name()} (HYPOTHESIS_PROFILE)"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # The test modules of this directory that keep a counter (read from their __dict__: some
    # modules, torch's among them, answer any attribute name with an object of their own).
    counters = []
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None) or {}
        counter = namespace.get("SWIFTLOSS_HYPOTHESIS_EXAMPLES")
        if isinstance(counter, collections.Counter) and \
                os.path.dirname(os.path.abspath(namespace.get("__file__") or "")) == HERE:
            counters.append(counter)
    totals = {}
    for counter in counters:
        for (test, outcome), n in counter.items():
            totals.setdefault(test, {}).setdefault(outcome, 0)
            totals[test][outcome] += n
    if not totals:
        return
    write = terminalreporter.write_line
    grand = sum(sum(outcomes.values()) for outcomes in totals.values())
    write(f"hypothesis examples run: {grand} (profile {_profile_name()})")
    for test in sorted(totals):
        outcomes = totals[test]
        detail = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
        write(f"  {test}: {sum(outcomes.values())} ({detail})")


def pytest_configure(config):
    """With SWIFTLOSS_REQUIRE_TORCH=1 (set by `make test`), a missing PyTorch is an error, not
    a reason to skip the bridge's tests: CI installs it, and a skip would hide that it did not."""
    if os.environ.get("SWIFTLOSS_REQUIRE_TORCH") == "1":
        try:
            import torch  # noqa: F401
        except ImportError as error:
            raise RuntimeError(
                "SWIFTLOSS_REQUIRE_TORCH=1 but PyTorch cannot be imported "
                f"({error}); run .ci/setup --test, or unset it to skip the bridge's tests"
            ) from error
