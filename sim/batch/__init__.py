"""Scenario batches: many seeds, sweeps and sensitivity analysis, on a laptop or a cluster.

One concept per module:

- :mod:`sim.batch.experiment`: experiment files (TOML): scenarios, levers,
  uncertainties, constants, seeds, steps, outcomes; checked on loading.
- :mod:`sim.batch.sampling`: the parameter points of a sweep (grid, Latin
  hypercube, Sobol sequence).
- :mod:`sim.batch.plan`: the deterministic list of runs, each with a stable id.
- :mod:`sim.batch.inputs`: files runs read besides their scenarios (network
  files): checked before a batch starts, their contents part of run ids.
- :mod:`sim.batch.worker`: one run, as a module-level function any process can import.
- :mod:`sim.batch.executors`: where runs execute (this process, a process pool, Dask).
- :mod:`sim.batch.storage`: the results folder's tables (Parquet, with a
  write-ahead log so that a killed batch loses no finished run).
- :mod:`sim.batch.manifest`: ``manifest.json``: what was run, with what, when.
- :mod:`sim.batch.runner`: a batch from plan to stored results, resumable.
- :mod:`sim.batch.results`: a results folder read back (manifest and tables joined).
- :mod:`sim.batch.statistics`: means, intervals, paired differences, effect
  sizes, returns on spending (pure functions, with the formulas).
- :mod:`sim.batch.analysis`: those statistics over a results folder.
- :mod:`sim.batch.figures`, :mod:`sim.batch.report`: PNG figures and report.md.
- :mod:`sim.batch.sensitivity`: Morris and Sobol indices with SALib.
- :mod:`sim.batch.ablation`: ``run.py ablate A B``: each mechanism's
  contribution to a contrast, with every switch of :mod:`sim.switches` off in turn.
- :mod:`sim.batch.commands`: the ``compare``, ``batch``, ``report`` and
  ``sensitivity`` commands of ``run.py``.

Every run is ``HousingModel(scenario, rng=seed, **overrides).run()``: fully
determined by its scenario, overrides and seed, so results do not depend on
the executor or the number of workers.
"""
