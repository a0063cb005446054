"""Agent-based simulation of social capital in social-housing communities.

``from sim import HousingModel``; see README.md and docs/ODD.md.
"""

from sim.model import HousingModel

__all__ = ["HousingModel"]
