import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_generator_type_checks_under_mypy_strict():
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "generator"], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
