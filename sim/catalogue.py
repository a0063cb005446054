"""Every parameter section of the model, in the order docs/ODD.md lists them.

Listed by hand (no discovery by reflection): adding a mechanism with
parameters means adding its section here.
"""

from __future__ import annotations

from sim import community, network, population
from sim.mechanisms import (
    complaints,
    cost,
    decisions,
    information,
    mobility,
    participation,
    services,
    shocks,
    social_capital,
    stigma,
    survey,
    trust,
    voice,
    wellbeing,
)
from sim.parameters import Section

SECTIONS: tuple[Section, ...] = (
    community.PARAMETERS,
    population.PARAMETERS,
    network.PARAMETERS,
    decisions.LANDLORD,
    services.PARAMETERS,
    participation.PARAMETERS,
    voice.PARAMETERS,
    trust.PARAMETERS,
    information.PARAMETERS,
    complaints.PARAMETERS,
    stigma.PARAMETERS,
    social_capital.PARAMETERS,
    mobility.PARAMETERS,
    wellbeing.PARAMETERS,
    cost.PARAMETERS,
    shocks.PARAMETERS,
    survey.PARAMETERS,
)

SECTIONS_BY_NAME: dict[str, Section] = {section.name: section for section in SECTIONS}
