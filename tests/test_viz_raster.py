"""Ties rasterised with numpy: weight lands where the line is, in proportion to its length; strokes pile up like ink."""

from __future__ import annotations

import numpy as np
import pytest

from sim.viz.raster import line_density, on_white


def test_a_line_puts_its_weight_along_its_length():
    density = line_density(np.array([[[2.0, 5.5], [18.0, 5.5]]]), np.array([0.5]), (10, 20))
    assert density.sum() == pytest.approx(0.5 * 16.0, rel=1e-4)
    rows = density.sum(axis=1)
    assert rows[5] == pytest.approx(rows.sum())  # a horizontal line through row 5's centre stays in row 5
    columns = density.sum(axis=0)
    assert columns[:2].sum() == pytest.approx(0.0, abs=1e-9) and columns[18:].sum() == pytest.approx(0.0, abs=1e-9)


def test_diagonal_lines_and_weights_add_up():
    segments = np.array([[[1.0, 1.0], [30.0, 20.0]], [[30.0, 1.0], [1.0, 20.0]]])
    density = line_density(segments, np.array([1.0, 0.25]), (25, 35))
    length = np.hypot(29.0, 19.0)
    assert density.sum() == pytest.approx(1.25 * length, rel=1e-4)
    assert (density >= 0).all()


def test_no_lines_and_lines_off_the_image_are_safe():
    assert line_density(np.zeros((0, 2, 2)), np.zeros(0), (4, 6)).shape == (4, 6)
    density = line_density(np.array([[[-50.0, 2.0], [100.0, 2.0]]]), np.array([1.0]), (5, 8))
    assert np.isfinite(density).all()


def test_strokes_pile_up_like_translucent_ink():
    empty = np.zeros((2, 2))
    assert (on_white([(empty, (0.0, 0.0, 0.0))]) == 255).all()  # nothing drawn: white
    once = on_white([(np.full((1, 1), -np.log(0.5)), (0.0, 0.0, 0.0))])
    assert once[0, 0, 0] == 128  # opacity 1/2 over white
    twice = on_white([(np.full((1, 1), -2 * np.log(0.5)), (0.0, 0.0, 0.0))])
    assert twice[0, 0, 0] == 64  # two such strokes let through a quarter
    red_over_blue = on_white([(np.full((1, 1), 50.0), (0.0, 0.0, 1.0)), (np.full((1, 1), 50.0), (1.0, 0.0, 0.0))])
    assert tuple(red_over_blue[0, 0]) == (255, 0, 0)  # later layers lie on top
