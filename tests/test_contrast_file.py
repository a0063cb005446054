"""experiments/contrast.toml: its uncertainties are generated from the parameters' plausible ranges, and stay in step."""

from __future__ import annotations

import dataclasses
import re

import pytest

from sim import catalogue
from sim.batch import contrast_file, experiment
from sim.parameters import Section
from tests.batch_runs import ROOT

SHIPPED = ROOT / "experiments" / "contrast.toml"


def test_the_shipped_block_matches_the_declarations():
    text = SHIPPED.read_text()
    assert contrast_file.refresh(text) == text, (
        f"the uncertainties of {SHIPPED.name} differ from the parameters' plausible ranges: run `{contrast_file.COMMAND}`")


def test_the_shipped_experiment():
    spec = experiment.load(SHIPPED)
    assert [ref.key for ref in spec.scenarios] == ["co_production", "paternalistic"]
    assert spec.sensitivity.contrast == ("co_production", "paternalistic")
    assert (len(spec.seeds), spec.steps, spec.constants["community.residents"]) == (2, 120, 1000)
    assert (spec.sensitivity.trajectories, spec.sensitivity.levels) == (10, 4)
    assert [f.name for f in spec.factors] == [name for name, _ in contrast_file.declared()]
    assert all(f.group == "uncertainties" for f in spec.factors)


def with_plausible(ranges: dict[str, tuple[float, float]]) -> tuple[Section, ...]:
    """The catalogue's sections with these parameters, and no others, given a plausible range."""
    sections = []
    for section in catalogue.SECTIONS:
        params = tuple(dataclasses.replace(p, plausible=ranges.get(f"{section.name}.{p.name}")) for p in section.params)
        sections.append(dataclasses.replace(section, params=params))
    return tuple(sections)


RANGES = {"landlord.humility": (0.3, 0.9), "trust.gain_rate": (0.02, 0.2), "community.block_size": (20, 60), "community.residents": (500, 2000)}


def test_the_generator_writes_one_line_per_declared_range(monkeypatch, tmp_path):
    monkeypatch.setattr(catalogue, "SECTIONS", with_plausible(RANGES))
    text = SHIPPED.read_text()
    assert contrast_file.refresh(text) != text  # the test above would now fail, with the command to run
    path = tmp_path / "contrast.toml"
    path.write_text(text)
    assert contrast_file.main([str(path)]) == 0
    new = path.read_text()
    block = contrast_file.current(new).splitlines()
    assert block[0].startswith("# 3 parameters: 10 trajectories x 4 points x 2 scenarios x 2 seeds = 160 runs (Morris), about")
    assert block[1] == "# declared plausible, but fixed elsewhere in this file: community.residents"
    lines = block[2:]
    assert [line.split(" = ", 1)[0].strip() for line in lines] == ["community.block_size", "landlord.humility", "trust.gain_rate"]  # the catalogue's order
    assert lines[0].startswith("community.block_size = { low = 20, high = 60 }")  # whole numbers stay whole
    source = " ".join(catalogue.SECTIONS_BY_NAME["landlord"].get("humility").source.split())
    assert re.fullmatch(r"landlord\.humility +\= \{ low = 0\.3, high = 0\.9 \} +# " + re.escape(source), lines[1]), lines[1]
    assert new.replace(contrast_file.current(new), "") == text.replace(contrast_file.current(text), "")  # nothing else changed
    assert contrast_file.refresh(new) == new
    spec = experiment.load(path)
    assert {f.name: (f.low, f.high) for f in spec.factors} == {"community.block_size": (20, 60), "landlord.humility": (0.3, 0.9), "trust.gain_rate": (0.02, 0.2)}


def test_a_file_without_the_markers_is_refused(tmp_path, capsys):
    path = tmp_path / "plain.toml"
    path.write_text('scenarios = ["co_production"]\n')
    assert contrast_file.main([str(path)]) == 2
    assert "# BEGIN GENERATED: uncertainties" in capsys.readouterr().err
    with pytest.raises(ValueError, match="exactly one block"):
        contrast_file.refresh(path.read_text())
