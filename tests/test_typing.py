import subprocess
import sys
from conftest import ROOT

# Each run keeps its own cache (in .mypy_cache/, git-ignored), so that a second run checks only what changed:
# the strict run of the package and the plain run of the tests would otherwise overwrite each other's
# entries for the package's modules (their options differ).


def test_generator_type_checks_under_mypy_strict():
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", ".mypy_cache/strict",
                             "generator"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_tests_type_check_under_mypy():
    """The tests too, without --strict (most test functions have no annotations; their calls are checked)."""
    result = subprocess.run([sys.executable, "-m", "mypy", "--config-file", "/dev/null", "--ignore-missing-imports",
                             "--cache-dir", ".mypy_cache/tests", "tests"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
