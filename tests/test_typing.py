import subprocess
import sys
from conftest import ROOT



def test_generator_type_checks_under_mypy_strict():
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "generator"], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_tests_type_check_under_mypy():
    """The tests too, without --strict (most test functions have no annotations; their calls are checked)."""
    result = subprocess.run([sys.executable, "-m", "mypy", "--config-file", "/dev/null", "--ignore-missing-imports",
                             "tests"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
