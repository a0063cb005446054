"""Calibration against national figures: ABC rejection over a scenario's uncertain parameters, and the spread across landlords.

``python run.py calibrate`` (``sim.calibration.commands``) reads a calibration
file (``sim.calibration.spec``), runs the rounds as ordinary batches
(``sim.calibration.pipeline``, ``sim.calibration.abc``), writes the
calibrated scenario and report (``sim.calibration.write``), then fits the
landlord population's spread (``sim.calibration.landlords``).

``sim.calibration.smc`` is the ABC-SMC engine (pyabc) meant to replace the
rejection rounds and the search (issue 12): a reproducible, resumable
posterior sample (``sim.calibration.smc_sampler``, ``smc_distance``) written
as a posterior file (``sim.calibration.posterior``). The command does not
use it yet.
"""
