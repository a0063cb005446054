"""Calibration against national figures: ABC-SMC over a scenario's uncertain parameters, and the spread across landlords.

``python run.py calibrate`` (``sim.calibration.commands``) reads a calibration
file (``sim.calibration.spec``) and runs ``sim.calibration.pipeline``: ABC-SMC
with pyabc (``sim.calibration.smc``, reproducible on any number of workers by
``smc_sampler``, distance in ``smc_distance``, simulations by ``simulator``)
gives a posterior file (``sim.calibration.posterior``); posterior draws are
run again on fresh seeds (``sim.calibration.predictive``); what the figures
constrain is read from the posterior (``sim.calibration.identifiability``);
``sim.calibration.write`` writes the calibrated scenario, the posterior copy
for experiments, tables, figures and the report; then
``sim.calibration.landlords`` builds the landlord population (one per English
landlord at its real size) and fits how much landlords differ, and around what
centre (``sim.calibration.spread_fit``: a quadratic emulator over a probe
population).
"""
