"""Commands that do not run the model start without its heavy imports (issue 18).

``python run.py --help``, ``params``, ``policies`` and ``check`` used to import
Mesa (its spatial modules bring pandas, scipy and networkx): about a second
before the first line of output. Each command runs here in a fresh
interpreter with ``-X importtime``, which lists every module imported; the
test asserts on that list, not on a time (README: Speed has the times).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("mesa", "pandas", "scipy", "networkx", "numba", "llvmlite")
"""Top-level packages the model needs and these commands do not (``mesa.discrete_space`` alone cost half a second, numba a third)."""


def imported_modules(*args: str, code: str | None = None) -> set[str]:
    """Every module a fresh ``python [-c CODE | run.py ARGS]`` imports, read from ``-X importtime``."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    command = [sys.executable, "-X", "importtime", *(["-c", code] if code is not None else ["run.py", *args])]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert "sim" in names or "sim.cli" in names or code is not None  # the listing was read
    return names


def heavy(names: set[str], packages: tuple[str, ...] = HEAVY) -> list[str]:
    return sorted(name for name in names if name.split(".")[0] in packages)


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("params",),
        ("policies",),
        ("check", "co_production"),
        ("check", "scenarios/co_production.toml", "scenarios/scandal_and_cuts.toml", "experiments/headline.toml"),
    ],
    ids=" ".join,
)
def test_commands_that_do_not_run_the_model_do_not_import_it(args):
    names = imported_modules(*args)
    assert "sim.model" not in names
    assert heavy(names) == []
    assert "mesa.discrete_space" not in names


def test_help_imports_not_even_numpy():
    # The parsers only: the scenario checker (numpy, every mechanism's parameters) comes with the commands that read scenarios.
    names = imported_modules("--help")
    assert "sim.cli" in names
    assert heavy(names, ("numpy", *HEAVY)) == []


def test_importing_the_package_is_light_and_the_model_comes_on_first_use():
    code = (
        "import sys, sim\n"
        "assert 'sim.model' not in sys.modules and 'mesa' not in sys.modules\n"
        "from sim import HousingModel\n"
        "import sim.model\n"
        "assert HousingModel is sim.model.HousingModel is sim.HousingModel\n"
        "assert 'HousingModel' in dir(sim) and sim.__all__ == ['HousingModel']\n"
        "try:\n"
        "    sim.NoSuchThing\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('sim.NoSuchThing did not raise AttributeError')\n"
    )
    names = imported_modules(code=code)
    assert "mesa" in names  # the model's own imports came with it


def test_a_batch_worker_module_imports_the_model_only_when_a_run_starts():
    code = (
        "import sys\n"
        "from sim.batch import worker\n"
        "assert 'sim.model' not in sys.modules\n"
        "import sim.model\n"
        "assert worker.HousingModel is sim.model.HousingModel\n"
    )
    imported_modules(code=code)
