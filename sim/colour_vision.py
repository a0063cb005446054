"""How colours look to readers with colour-vision deficiency, and how far apart two colours are.

Used to check that the policy palette (:mod:`sim.palette`) stays readable:
every pair of its colours must stay apart under a simulated deuteranopia and
protanopia (the red-green deficiencies, about 1 man in 12 of northern
European descent has one of them, mostly the milder anomalous forms).

- :func:`simulate`: Machado, Oliveira and Fernandes (2009), "A
  physiologically-based model for simulation of color vision deficiency",
  IEEE TVCG 15(6), the matrices for severity 1.0 (full dichromacy, the worst
  case), applied to linear RGB as the authors intend;
- :func:`delta_e`: the CIEDE2000 colour difference (Sharma, Wu and Dalal
  2005, "The CIEDE2000 color-difference formula: implementation notes"),
  from sRGB through CIE XYZ (D65) to CIE L*a*b*. About 1 is the smallest
  difference people notice side by side; categorical palettes aim for 10 or
  more between any two colours so that a line is told from another at a
  glance.

Plain numpy: colour strings are anything matplotlib accepts ("#0072B2").
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from matplotlib.colors import to_rgb

Deficiency = Literal["deuteranopia", "protanopia", "tritanopia"]

MACHADO: dict[str, np.ndarray] = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]),
}
"""Machado et al. (2009), severity 1.0, acting on linear RGB column vectors."""

_SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]])
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def _rgb(colour: str | tuple[float, ...]) -> np.ndarray:
    return np.array(to_rgb(colour), dtype=float)


def to_linear(srgb: np.ndarray) -> np.ndarray:
    """sRGB values in [0, 1] to linear light (IEC 61966-2-1)."""
    srgb = np.asarray(srgb, dtype=float)
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def to_srgb(linear: np.ndarray) -> np.ndarray:
    """Linear light in [0, 1] to sRGB values (clipped to the gamut first)."""
    linear = np.clip(np.asarray(linear, dtype=float), 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def simulate(colour: str | tuple[float, ...], deficiency: Deficiency = "deuteranopia") -> np.ndarray:
    """The sRGB colour (three values in [0, 1]) a reader with ``deficiency`` sees for ``colour``."""
    if deficiency not in MACHADO:
        raise ValueError(f"unknown colour-vision deficiency {deficiency!r} (accepted: {', '.join(MACHADO)})")
    return to_srgb(MACHADO[deficiency] @ to_linear(_rgb(colour)))


def to_lab(srgb: np.ndarray | str) -> np.ndarray:
    """CIE L*a*b* (D65 white) of an sRGB colour."""
    rgb = _rgb(srgb) if isinstance(srgb, str) else np.asarray(srgb, dtype=float)
    xyz = _SRGB_TO_XYZ @ to_linear(rgb) / _WHITE_D65
    e, k = 216 / 24389, 24389 / 27
    f = np.where(xyz > e, np.cbrt(xyz), (k * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """The CIEDE2000 difference of two CIE L*a*b* colours (kL = kC = kH = 1)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dhh = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(cp_bar**7 / (cp_bar**7 + 25.0**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    return float(np.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (dhh / s_h) ** 2 + r_t * (dc / s_c) * (dhh / s_h)))


def delta_e(first: str | tuple[float, ...], second: str | tuple[float, ...], deficiency: Deficiency | None = None) -> float:
    """CIEDE2000 difference of two colours as seen with normal vision (``deficiency`` None) or with ``deficiency``."""
    if deficiency is None:
        return ciede2000(to_lab(_rgb(first)), to_lab(_rgb(second)))
    return ciede2000(to_lab(simulate(first, deficiency)), to_lab(simulate(second, deficiency)))


def closest_pair(colours: dict[str, str], deficiency: Deficiency | None = None) -> tuple[str, str, float]:
    """The two named colours that look most alike (with ``deficiency``, or normal vision), and their CIEDE2000 difference."""
    names = list(colours)
    if len(names) < 2:
        raise ValueError(f"closest_pair needs at least two colours, not {len(names)}")
    return min(((a, b, delta_e(colours[a], colours[b], deficiency)) for i, a in enumerate(names) for b in names[i + 1:]), key=lambda x: x[2])
