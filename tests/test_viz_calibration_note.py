"""The app says whether the scenario on screen was calibrated: the levels of an uncalibrated one are assumptions."""

from __future__ import annotations

from sim.viz import explain
from sim.viz.presets import load_presets


def test_only_the_calibrated_scenario_is_called_calibrated():
    presets = load_presets()
    assert explain.CALIBRATED in presets  # the note names a scenario that exists
    for key in presets:
        note = explain.calibration_note(key)
        if key == explain.CALIBRATED:
            assert note.startswith("This scenario is calibrated") and "VALIDATION" in note
        else:
            assert note.startswith("This scenario is not calibrated") and "default assumptions" in note


def test_the_calibrated_scenario_is_the_one_the_calibration_writes():
    from sim.batch.experiment import ROOT
    from sim.calibration import spec

    cal = spec.load(ROOT / "experiments" / "calibration.toml")
    assert cal.scenario_out.stem == explain.CALIBRATED
