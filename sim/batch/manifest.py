"""A results folder's ``manifest.json``: enough to know what was run, with what, and to run it again.

It records the command, the resolved experiment (scenarios, seeds, steps,
parameter points, outcomes), each scenario file's path, SHA-256 and resolved
values, the path and SHA-256 of every other file the runs read (``inputs``:
network files), the plan's fingerprint and size, package versions, the git commit,
and one entry per session (a first run and each resume): its start and end,
executor, and how many runs it stored. The top-level ``status`` is
``running`` while a batch works, then ``complete``, ``interrupted`` or
``incomplete`` (some runs lost); a folder whose status is still ``running``
while no process holds it was killed.

A folder can only be resumed by the same plan: a changed scenario file,
network file, seed list, parameter point or outcome list is refused with the
reason, so results from two different experiments never mix.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim import provenance
from sim.batch.plan import Plan
from sim.errors import UserError
from sim.output import ensure_writable_folder, write_text

FORMAT = "social-housing-sim batch results, version 1"
NAME = "manifest.json"
PACKAGES = ("pyarrow", "SALib", "matplotlib", "tqdm", "dask", "distributed", "dask-jobqueue")


def versions() -> dict[str, str]:
    """Python's and every result-relevant package's version (those of ``run.py run`` plus the batch tools)."""
    return provenance.versions(PACKAGES)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def read(folder: Path) -> dict[str, Any]:
    """The manifest of a results folder, or a UserError saying why there is none."""
    path = folder / NAME
    if not folder.is_dir():
        raise UserError(f"{folder}: no such results folder (accepted: a folder written by run.py compare, batch or sensitivity)")
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise UserError(f"{folder}: not a results folder: no {NAME} (accepted: a folder written by run.py compare, batch or sensitivity)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: not valid JSON: {error} (accepted: a manifest written by run.py)") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise UserError(f"{path}: not a batch manifest (accepted: a folder written by run.py compare, batch or sensitivity)")
    _check_shape(path, manifest)
    return manifest


REQUIRED: dict[str, type] = {"kind": object, "command": object, "started": object, "planned_runs": int, "plan": dict, "experiment": dict,
                             "scenarios": dict, "points": list, "sessions": list}
"""Top-level entries every writer puts in a manifest and resuming or reporting reads (a missing one was a KeyError), with
the type that reading needs (``object``: any value)."""
REQUIRED_EXPERIMENT: dict[str, type] = {"name": object, "source": object, "scenarios": dict, "baseline": object, "seeds": list, "steps": int,
                                        "outcomes": list, "constants": dict, "factors": dict, "sampling": dict}
"""Entries of the manifest's ``experiment`` that reports read."""


def _check_shape(path: Path, manifest: dict[str, Any]) -> None:
    """A UserError naming the first missing or mistyped entry of an edited or damaged manifest (its runs stay untouched)."""
    recover = f"(accepted: restore {path.name} from a copy, or run the batch again with a new --out; the stored runs are not changed)"
    for where, entries, required in (("", manifest, REQUIRED), ("experiment.", manifest.get("experiment"), REQUIRED_EXPERIMENT)):
        if not isinstance(entries, dict):
            return  # not reached: experiment's type is checked with the top level
        for key, kind in required.items():
            if key not in entries:
                raise UserError(f"{path}: damaged: it has no {where}{key} {recover}")
            if not isinstance(entries[key], kind) or (kind is int and isinstance(entries[key], bool)):
                raise UserError(f"{path}: damaged: {where}{key} is a {type(entries[key]).__name__}, not a {kind.__name__} {recover}")
    if not manifest["sessions"]:
        raise UserError(f"{path}: damaged: sessions is empty {recover}")


def write(folder: Path, manifest: dict[str, Any]) -> None:
    """Replace the manifest atomically (a reader never sees half a file)."""
    write_text(folder / NAME, json.dumps(manifest, indent=2, default=str) + "\n")


def prepare_folder(folder: Path) -> None:
    """Create the output folder, or check that an existing one is empty or holds batch results."""
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--out: {str(folder)!r} is a file (accepted: a new folder, or one written by an earlier run of the same batch)")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / NAME).exists():
        raise UserError(f"--out: {str(folder)!r} is not empty and holds no {NAME} (accepted: a new folder, or one written by an earlier run of the same batch)")
    ensure_writable_folder(folder)


def begin(folder: Path, plan: Plan, kind: str, executor: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Start a session: a new manifest, or the existing one checked against ``plan`` and extended."""
    session = {"started": now(), "ended": None, "status": "running", "host": socket.gethostname(), "pid": os.getpid(), **executor, "stored": 0, "git_commit": provenance.git_commit(), "versions": versions()}
    if (folder / NAME).exists():
        manifest = read(folder)
        _check_same_plan(folder, manifest, plan, kind)
        first = manifest["sessions"][0]
        for key in ("git_commit", "versions"):
            if first.get(key) != session[key]:
                print(f"note: {folder} was started with different {key.replace('_', ' ')} ({_diff(first.get(key), session[key])}); its runs are kept", file=sys.stderr)
        manifest["sessions"].append(session)
        manifest["status"] = "running"
        manifest["command"] = _command()
    else:
        e = plan.experiment
        manifest = {
            "format": FORMAT,
            "kind": kind,
            "command": _command(),
            "status": "running",
            "started": session["started"],
            "ended": None,
            "planned_runs": len(plan.runs),
            "completed_runs": 0,
            "failed_runs": 0,
            "lost_runs": [],
            "plan": {"fingerprint": plan.fingerprint, "describe": plan.describe()},
            "experiment": e.to_dict(),
            "scenarios": {ref.key: {"path": str(ref.path), "sha256": ref.sha256, "name": ref.scenario.name, "resolved": ref.scenario.to_dict()} for ref in e.scenarios},
            "points": [dict(point) for point in plan.points],
            "inputs": {f.path: {"parameter": f.parameter, "sha256": f.sha256} for f in plan.inputs},
            "machine": {"platform": platform.platform(), "python": sys.version.split()[0]},
            "git_commit": session["git_commit"],
            "versions": session["versions"],
            "sessions": [session],
            **(extra or {}),
        }
    write(folder, manifest)
    return manifest


def end(folder: Path, manifest: dict[str, Any], status: str, stored: int, completed: int, failed: int, lost: list[str]) -> None:
    """Close the session with its status and the folder's counts."""
    session = manifest["sessions"][-1]
    session.update({"ended": now(), "status": status, "stored": stored})
    manifest.update({"status": status, "ended": session["ended"], "completed_runs": completed, "failed_runs": failed, "lost_runs": lost})
    write(folder, manifest)


def _check_same_plan(folder: Path, manifest: dict[str, Any], plan: Plan, kind: str) -> None:
    if manifest.get("plan", {}).get("fingerprint") == plan.fingerprint and manifest.get("kind") == kind:
        return
    reason, accepted = "its runs differ (seeds, steps, parameter points or outcomes)", "the same command as before to resume, or a new --out folder"
    if manifest.get("kind") != kind:
        reason = f"it holds a {manifest.get('kind')} run, not a {kind} run"
    else:
        reason, accepted = _changed_file(manifest, plan) or (reason, accepted)
    raise UserError(f"--out: {folder} holds results of a different experiment: {reason} (accepted: {accepted})")


def _changed_file(manifest: dict[str, Any], plan: Plan) -> tuple[str, str] | None:
    """Why the plan differs when a file it reads has changed since the folder was started: (reason, what to do), else None."""
    stored = manifest.get("scenarios", {})
    for ref in plan.experiment.scenarios:
        if ref.key not in stored:
            return f"scenario {ref.key!r} is not in it", "the same command as before to resume, or a new --out folder"
        if stored[ref.key].get("sha256") != ref.sha256:
            return _changed(f"scenario file {ref.path}", str(ref.path), stored[ref.key].get("sha256"), ref.sha256)
    inputs = manifest.get("inputs")
    if inputs is None and plan.inputs:  # started before the files runs read were recorded (and part of run ids)
        return "it was started by an older version that did not record network files' contents", "a new --out folder"
    for file in plan.inputs:
        before = (inputs or {}).get(file.path, {}).get("sha256")
        if before is not None and before != file.sha256:
            return _changed(f"network file {file.path} ({file.parameter})", file.path, before, file.sha256)
    return None


def _changed(what: str, path: str, before: Any, now: str) -> tuple[str, str]:
    reason = f"{what} has changed since it was started (SHA-256 {str(before)[:12]}... then, {now[:12]}... now)"
    return reason, f"restore {path} as it was and run the same command to resume, or a new --out folder for the changed file"


def _diff(before: Any, after: Any) -> str:
    if isinstance(before, dict) and isinstance(after, dict):
        changed = [f"{k} {before.get(k)} -> {after.get(k)}" for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
        return ", ".join(changed)
    return f"{before} -> {after}"


def _command() -> str:
    return shlex.join([Path(sys.executable).name, *sys.argv])
