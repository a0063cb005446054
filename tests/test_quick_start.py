"""The README's quick start, as a newcomer follows it: a virtual environment that git ignores, two commands, and what the tests need."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from sim.viz import browser

ROOT = Path(__file__).resolve().parents[1]


def quick_start() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]


def commands(block: str) -> list[str]:
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_the_virtual_environment_is_ignored_by_git():
    lines = (ROOT / ".gitignore").read_text().splitlines()
    assert ".venv/" in lines
    found = subprocess.run(["git", "check-ignore", "--no-index", ".venv/bin/python"], cwd=ROOT, capture_output=True, text=True)
    assert found.returncode == 0, found.stderr or "git does not ignore .venv/"


def test_quick_start_is_an_optional_venv_then_two_commands():
    blocks = re.findall(r"```bash\n(.*?)```", quick_start(), flags=re.S)
    *optional, main = blocks
    assert len(optional) == 1 and commands(optional[0])[0].startswith("python -m venv .venv"), blocks
    assert "optional" in optional[0]
    install, tests = commands(main)  # one installs and runs the main job, one runs the tests
    assert install.startswith('pip install -e ".[dev]" && python run.py ')
    assert tests.startswith("python -m pytest ")


def test_quick_start_says_how_long_the_tests_take_and_where_chromium_comes_from():
    text = " ".join(quick_start().split())
    assert "17 to 22 minutes on 2 cores" in text  # measured by .ci/run on a clean clone, Slurm tests included: 16:54 at load 1-2, 22:10 with other work on the machine (2026-12-01, with the live workshop's browser tests)
    assert "apt-get install chromium" in text
    # What the browser tests actually look for (sim/viz/browser.py): one fixed path, or the one SHS_CHROMIUM names; not PATH.
    assert 'CHROMIUM = os.environ.get("SHS_CHROMIUM", "/usr/bin/chromium")' in Path(browser.__file__).read_text()
    assert "They look for `/usr/bin/chromium`" in text
    assert "`SHS_CHROMIUM` names; they do not search `PATH`" in text
