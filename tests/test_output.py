"""Output files are replaced whole or not at all: a full disk leaves the earlier file (or none), never a truncated one."""

from __future__ import annotations

import errno
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.batch import report
from sim.cli import main
from sim.output import replacing, write_text
from tests.batch_runs import ROOT
from tests.test_cli import SCENARIO, assert_user_error, first_run  # noqa: F401 (first_run: a fixture)


def full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_write_leaves_the_earlier_file_and_no_temporary(tmp_path):
    path = tmp_path / "report.md"
    path.write_text("earlier, complete")
    with pytest.raises(OSError), replacing(path) as (tmp,):
        tmp.write_text("half of the new ")
        full_disk()
    assert path.read_text() == "earlier, complete"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_files_replaced_together_are_all_new_or_all_old(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.json"
    a.write_text("old a")
    b.write_text("old b")
    with pytest.raises(OSError), replacing(a, b) as (new_a, new_b):
        new_a.write_text("new a")  # complete, but b is not: a must not be replaced alone
        full_disk()
    assert (a.read_text(), b.read_text()) == ("old a", "old b")
    with replacing(a, b) as (new_a, new_b):
        new_a.write_text("new a")
        new_b.write_text("new b")
    assert (a.read_text(), b.read_text()) == ("new a", "new b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.json"]


def test_write_text_makes_a_new_file(tmp_path):
    write_text(tmp_path / "new.md", "whole")
    assert (tmp_path / "new.md").read_text() == "whole"


# -- run.py run ------------------------------------------------------------------------------------------


def run_with_file_size_limit(limit: int, *args: str | Path) -> subprocess.CompletedProcess:
    """``python run.py ARGS`` unable to write more than ``limit`` bytes to any file, as on a nearly full disk (Python ignores SIGXFSZ: writes fail with EFBIG)."""
    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "run.py", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=120, preexec_fn=limit_files, env=env)


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="needs POSIX file size limits")
@pytest.mark.parametrize("fails", ["timeseries.csv", "manifest.json"])
def test_run_out_of_space_leaves_the_earlier_results_whole(first_run, tmp_path, fails):  # noqa: F811
    out = tmp_path / "out"
    shutil.copytree(first_run, out)
    earlier = {name: (out / name).read_bytes() for name in ("timeseries.csv", "manifest.json")}
    assert len(earlier["timeseries.csv"]) < len(earlier["manifest.json"])
    # Too small for either file, or room for the time series but not for the manifest written after it.
    limit = 100 if fails == "timeseries.csv" else (len(earlier["timeseries.csv"]) + len(earlier["manifest.json"])) // 2
    result = run_with_file_size_limit(limit, "run", SCENARIO, "--steps", "3", "--seed", "6", "--out", out)
    assert_user_error(result, f"--out: cannot write the results to {str(out)!r}", "File too large", "nothing was written")
    assert {name: (out / name).read_bytes() for name in earlier} == earlier  # the seed-5 pair, untouched
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "timeseries.csv"]


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="needs POSIX file size limits")
def test_run_out_of_space_in_a_new_folder_leaves_nothing(tmp_path):
    out = tmp_path / "new"
    result = run_with_file_size_limit(100, "run", SCENARIO, "--steps", "3", "--out", out)
    assert_user_error(result, "nothing was written")
    assert list(out.iterdir()) == []


# -- report files ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    """A small ``run.py compare`` results folder."""
    out = tmp_path_factory.mktemp("output") / "compare"
    assert main(["compare", "paternalistic", "co_production", "--seeds", "2", "--steps", "6", "--set", "community.residents=60",
                 "--workers", "1", "--out", str(out), "--quiet"]) == 0
    return out


def test_a_report_that_runs_out_of_space_keeps_the_earlier_tables_and_report(compared, tmp_path, monkeypatch):
    folder = tmp_path / "copy"
    shutil.copytree(compared, folder)
    earlier = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    real_to_csv = pd.DataFrame.to_csv

    def half_then_full(self, path, *args, **kwargs):
        real_to_csv(self.head(1), path, *args, **kwargs)  # a part is written, then the disk is full
        full_disk()

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_full)
    with pytest.raises(OSError):
        report.build(folder)
    monkeypatch.undo()
    real_write_text = Path.write_text

    def report_half_written(self, text, *args, **kwargs):
        real_write_text(self, text[:10], *args, **kwargs)
        full_disk()

    monkeypatch.setattr(Path, "write_text", report_half_written)
    with pytest.raises(OSError):
        report.build(folder)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == earlier
