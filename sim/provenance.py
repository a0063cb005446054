"""Provenance for results: package versions and the git commit they were computed with."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL_PACKAGES = ("social-housing-sim", "mesa", "numpy", "scipy", "networkx", "pandas")
"""Packages whose versions every result records (batches add their own tools)."""


def versions(packages: tuple[str, ...] = ()) -> dict[str, str]:
    """Versions of Python, the model's packages and ``packages`` ("not installed" where missing)."""
    found = {"python": platform.python_version()}
    for package in (*MODEL_PACKAGES, *packages):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def git_commit() -> str | None:
    """The repository's commit (with ``+dirty`` for uncommitted changes), or None outside git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def version_text() -> str:
    """What ``run.py --version`` prints: the package's installed version, and the git commit when there is one."""
    try:
        version = metadata.version("social-housing-sim")
    except metadata.PackageNotFoundError:
        version = "(not installed: pip install -e .)"
    commit = git_commit()
    return f"social-housing-sim {version}" + (f", git commit {commit}" if commit else "")
