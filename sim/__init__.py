"""Agent-based simulation of social capital in social-housing communities.

``from sim import HousingModel``; see README.md and docs/ODD.md.

``HousingModel`` is imported on first use (PEP 562), not with the package:
commands that do not run the model (``python run.py --help``, ``check``,
``params``, ``policies``) then start without Mesa's spatial modules, pandas
or scipy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.model import HousingModel

__all__ = ["HousingModel"]


def __getattr__(name: str) -> Any:
    if name == "HousingModel":
        from sim.model import HousingModel

        globals()["HousingModel"] = HousingModel  # later look-ups skip this function
        return HousingModel
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
