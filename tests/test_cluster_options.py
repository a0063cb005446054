"""The worker-job options of ``--executor slurm`` and ``pbs`` (no cluster needed): every bad value is one clear line with exit
status 2, a config file's [cluster] table fills what the command line leaves, and the job scripts carry what was asked for."""

from __future__ import annotations

import sys

import pytest

from sim.batch.cluster import JobQueueExecutor, job_arguments
from sim.batch.executors import make_executor
from sim.batch.job_settings import JobSettings, job_settings
from sim.cli import main
from tests.batch_runs import write_experiment

BAD = [
    (["--executor", "slurm", "--workers", "2"], ["--workers: not used with --executor slurm", "--jobs N"]),
    (["--executor", "slurm", "--scheduler", "tcp://127.0.0.1:1"], ["--scheduler: only used with --executor dask"]),
    (["--jobs", "3"], ["--jobs: only used with --executor slurm or pbs"]),
    (["--executor", "dask", "--memory", "4GB"], ["--memory: only used with --executor slurm or pbs"]),
    (["--executor", "slurm", "--jobs", "0"], ["--jobs: 0 is not accepted", "a whole number from 1 to 10,000"]),
    (["--executor", "slurm", "--cores-per-job", "2000"], ["--cores-per-job: 2000 is not accepted", "from 1 to 1,024"]),
    (["--executor", "slurm", "--memory", "lots"], ["--memory: 'lots' is not accepted", "e.g. 4GB"]),
    (["--executor", "slurm", "--memory", "10kB"], ["--memory: '10kB' is not accepted", "at least 100MB"]),
    (["--executor", "slurm", "--walltime", "90"], ["--walltime: '90' is not accepted", "HH:MM:SS or D-HH:MM:SS"]),
    (["--executor", "slurm", "--walltime", "00:00:30"], ["--walltime: '00:00:30' is not accepted", "at least a minute"]),
    (["--executor", "pbs", "--walltime", "1-00:00:00"], ["--walltime: '1-00:00:00' is not accepted", "as HH:MM:SS, e.g."]),
    (["--executor", "slurm", "--account", "my project"], ["--account: 'my project' is not accepted", "no spaces"]),
    (["--executor", "slurm", "--queue", "a\nb"], ["--queue: 'a\\nb' is not accepted"]),
    (["--executor", "slurm", "--cluster-config", "no/such.toml"], ["no/such.toml: no such cluster config file"]),
]


@pytest.mark.parametrize(("options", "fragments"), BAD, ids=[" ".join(o) for o, _ in BAD])
def test_a_bad_option_is_one_clear_line(tmp_path, capsys, options, fragments):
    path = write_experiment(tmp_path / "e.toml")
    assert main(["batch", str(path), "--out", str(tmp_path / "out"), *options]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    for fragment in fragments:
        assert fragment in err[0], err[0]
    assert not (tmp_path / "out").exists()


CONFIGS = [
    ("# nothing\n", ["no [cluster] table"]),
    ("jobs = 4\n", ["jobs: outside the [cluster] table", "accepted: a line [cluster], then any of jobs, cores-per-job"]),
    ("[cluster]\njobz = 4\n", ["cluster.jobz: unknown key (did you mean 'jobs'?)", "accepted: jobs, cores-per-job"]),
    ("[cluster]\njobs = 2.5\n", ["cluster.jobs: 2.5 is not accepted", "a whole number"]),
    ("[cluster]\nwalltime = 3600\n", ["cluster.walltime: 3600 is not accepted"]),
    ("[cluster]\njob-extra-directives = \"--qos=short\"\n", ["cluster.job-extra-directives: '--qos=short' is not accepted", "a list of extra #SBATCH"]),
    ("[cluster]\njob-script-prologue = [\"ok\", 3]\n", ["cluster.job-script-prologue", "each a text on one line"]),
    ("[cluster]\njob-name = \"two words\"\n", ["cluster.job-name: 'two words' is not accepted"]),
    ("[cluster]\nmemory = 4\n", ["cluster.memory: 4 is not accepted", "e.g. 4GB"]),
    ("[cluster]\ninterface = \"\"\n", ["cluster.interface: '' is not accepted", "the network interface"]),
    ("[cluster]\njobs = 4\n[workers]\nn = 1\n", ["workers: not a cluster setting"]),
    ("[cluster\n", ["not valid TOML"]),
]


@pytest.mark.parametrize(("text", "fragments"), CONFIGS, ids=[t.splitlines()[-1] for t, _ in CONFIGS])
def test_a_bad_config_file_is_one_clear_line(tmp_path, capsys, text, fragments):
    config = tmp_path / "cluster.toml"
    config.write_text(text)
    path = write_experiment(tmp_path / "e.toml")
    assert main(["batch", str(path), "--executor", "slurm", "--cluster-config", str(config), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {config}"), err
    for fragment in fragments:
        assert fragment in err[0], err[0]
    if text.startswith("[cluster]\n"):  # what run.py check takes for a cluster config file: it reads it the same way
        assert main(["check", str(config)]) == 2
        assert capsys.readouterr().err.strip().splitlines() == err


def test_the_command_line_over_the_config_file_over_the_defaults(tmp_path, capsys):
    config = tmp_path / "cluster.toml"
    config.write_text('[cluster]\njobs = 16\nmemory = "8GB"\naccount = "from_file"\njob-extra-directives = ["#SBATCH --qos=short", "--constraint=cpu"]\n'
                      'job-script-prologue = ["module load python/3.12"]\njob-name = "sweep"\n')
    settings = job_settings("slurm", {"jobs": 3, "account": "from_command_line", "memory": None}, str(config))
    assert (settings.jobs, settings.memory, settings.account, settings.job_name) == (3, "8GB", "from_command_line", "sweep")
    assert (settings.cores_per_job, settings.walltime, settings.queue) == (1, "01:00:00", None)
    assert settings.job_extra_directives == ("--qos=short", "--constraint=cpu")
    assert main(["check", str(config)]) == 0
    assert "ok: " in capsys.readouterr().out
    assert JobSettings(cores_per_job=3).job_memory == "6GB"  # 2 GB per core unless given


def test_make_executor_builds_the_job_queue_executor(tmp_path):
    executor = make_executor("slurm", None, None, {"jobs": 2, "cores_per_job": None, "memory": "1GB"}, None)
    assert isinstance(executor, JobQueueExecutor)
    settings = executor.settings()  # for the manifest
    assert (settings["executor"], settings["jobs"], settings["memory"], settings["cores_per_job"], settings["walltime"]) == ("slurm", 2, "1GB", 1, "01:00:00")
    assert executor._capacity() == 4  # two groups of runs in flight per worker


@pytest.mark.parametrize("system", ["slurm", "pbs"])
def test_the_job_script_carries_the_options(tmp_path, system):
    """What each job asks its queue for (PBS is checked only this far: no PBS here to run it on)."""
    from sim.batch.cluster import _import_dask_jobqueue

    jobqueue = _import_dask_jobqueue()
    job_cls = (jobqueue.SLURMCluster if system == "slurm" else jobqueue.PBSCluster).job_cls
    extra = ["--qos=short"] if system == "slurm" else ["-l place=scatter"]
    settings = JobSettings(system=system, jobs=8, cores_per_job=2, memory="6GB", walltime="04:00:00", account="proj", queue="standard",
                           job_extra_directives=tuple(extra), job_script_prologue=("module load python/3.12",), job_name="sweep",
                           log_directory=str(tmp_path / "logs"))
    script = job_cls(scheduler="tcp://127.0.0.1:1", name="w", **job_arguments(settings)).job_script()
    if system == "slurm":
        for line in ("#SBATCH -J sweep", "#SBATCH -A proj", "#SBATCH -p standard", "#SBATCH --cpus-per-task=2", "#SBATCH --mem=6G",
                     "#SBATCH -t 04:00:00", "#SBATCH --qos=short", f"#SBATCH -e {tmp_path / 'logs'}/sweep-%J.err"):
            assert line in script, script
    else:
        for line in ("#PBS -N sweep", "#PBS -A proj", "#PBS -q standard", "#PBS -l walltime=04:00:00", "#PBS -l place=scatter", "ncpus=2"):
            assert line in script, script
    assert "module load python/3.12" in script
    assert "export DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False" in script  # no profiler slowing each run
    assert f"{sys.executable} -m distributed.cli.dask_worker tcp://127.0.0.1:1" in script
    assert "--nworkers 2" in script and "--nthreads 1" in script  # one single-threaded worker per core
    assert "--lifetime 14100s" in script  # retire 5 minutes before the wall time
    assert "--death-timeout 60" in script
