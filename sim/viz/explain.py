"""Plain-language text for workshops: what a policy does, what intensity means, what each event does.

Policy explanations are written from the policy's own ``summary`` and its
lever values, so they always say what the model actually runs (change a
lever and the sentence changes with it).
"""

from __future__ import annotations

from sim.policies import POLICIES

INTENSITY = (
    "Intensity scales how many households the policy reaches each month: the share invited, "
    "the places it can host, and outreach (door-knocking). 100% is the scenario's own setting. "
    "How much power residents get is the policy's own and does not change."
)

EVENTS: dict[str, str] = {
    "funding_cut": "The landlord's service budget falls by 30% from next month.",
    "safety_scandal": "Hazards are found in every home (new repairs for all) and social housing is in the news (stigma in the media rises).",
    "hub_opening": "A community hub opens: a place where residents meet across blocks, at a running cost.",
    "hub_closure": "The community hub closes.",
}
"""What each event button does, in words (values are the event types' defaults in sim/events.py)."""

TSM = (
    "The share of residents who would answer each Tenant Satisfaction Measures question positively, as a landlord "
    "in England reports it each year. Dashed lines: the median English landlord in 2023/24."
)

CALIBRATED = "england_baseline"
"""The one preset fitted to the national figures (`python run.py calibrate`, docs/VALIDATION.md)."""


def calibration_note(preset_key: str) -> str:
    """Whether the levels on screen were fitted to England's figures, in one sentence."""
    if preset_key == CALIBRATED:
        return ("This scenario is calibrated: its uncertain parameters were fitted to England's figures (one draw of the "
                "calibration's posterior; docs/VALIDATION.md lists what it misses).")
    return ("This scenario is not calibrated: its levels come from default assumptions, so compare policies with it "
            "rather than read its levels as England's.")

def calibration_badge(preset_key: str, side: str = "") -> str:
    """A few words for beside a picture: calibrated to England 2023/24 or simulated and not calibrated.

    Side by side, B is always the policy as designed: even on the calibrated
    landlord, nothing was observed of it, so B says so.
    """
    if preset_key != CALIBRATED:
        return "Simulated, not calibrated"
    if side == "B":
        return "Landlord calibrated to England 2023/24; this policy as designed, not observed"
    return "Calibrated to England 2023/24"


INTRO = (
    "**What this is:** a simulated community of social-housing households (each dot), their ties (the lines), "
    "their landlord and local services. It compares policies, from *professionals decide* to *co-production*; "
    "it does not forecast a real estate (its assumptions: docs/ODD.md).\n\n"
    "**What to press:** **Step** runs a month; **Play** runs month after month until **Pause**. "
    "The side panel (☰, top left) picks a scenario and switches on **Side by side**: a second policy on the same "
    "households with the same luck, so whatever differs between the two pictures is the policy."
)
"""The first-load panel: what the app is and what to press (Markdown)."""

GLOSSARY_TERMS: dict[str, str] = {
    "TP01, TP06, TP07 ...": "Questions of the Tenant Satisfaction Measures survey that every large landlord in England "
    "reports each year: TP01 satisfied overall, TP06 listens to your views and acts on them, TP07 keeps you informed, "
    "TP08 treats you fairly and with respect. The cards show the share who would answer positively.",
    "Bonding ties": "Ties between neighbours in the same block: close support.",
    "Bridging ties": "Ties across blocks and estates: people who would not otherwise meet, who pass on jobs and news.",
    "Linking ties": "Ties to someone at the landlord or a service: a way into the organisations that hold power.",
    "Arnstein's ladder": "Sherry Arnstein's 1969 ladder of citizen participation, from non-participation "
    "(professionals decide) through tokenism (consulted, then ignored) to citizen power (partnership, delegated power).",
    "Intensity": "How many households the policy reaches each month, as a share of the scenario's own setting.",
    "Same seed": "The same seed gives the same households, network and luck, so two runs differ only by what you changed.",
}
"""Plain explanations of the survey codes, kinds of tie and other terms on the screen."""


COMPARE = (
    "Both communities are the same households, the same network and the same luck (the same seed); "
    "only the policy differs, so the difference is the policy's effect. The charts show what the reform changes: the policy higher "
    "on Arnstein's ladder of participation minus the other (B minus A when both stand on the same rung), whichever side it is on. "
    "Blue: the reform is better for residents; hatched vermillion: worse. Charts of one kind share a scale "
    "(the 0-1 measures one, survey points one, cost its own), so a small change looks small."
)


def policy_text(name: str, levers: dict[str, float]) -> str:
    """A few plain sentences on what policy ``name`` does with these ``levers`` (Markdown)."""
    cls = POLICIES[name]
    lines = [f"**{cls.name.replace('_', '-').capitalize()}**, on Arnstein's ladder of participation: {cls.rung}. {cls.summary}", ""]
    if levers["reach"] <= 0 and levers["capacity"] <= 0:
        lines.append("- No channel for residents' views: nobody is invited to take part.")
    else:
        lines.append(f"- Invites {levers['reach']:.0%} of households each month, with places for {levers['capacity']:.0%}.")
        lines.append(f"- Acts on {levers['acts_on_input']:.0%} of what residents say, where it keeps the decision.")
        if levers["power_share"] > 0:
            lines.append(f"- Residents hold {levers['power_share']:.0%} of decisions themselves.")
        if levers["co_delivery"] > 0:
            lines.append(f"- {levers['co_delivery']:.0%} of those who take part also help deliver services.")
    if levers["outreach"] > 0:
        lines.append(f"- Outreach workers knock on {levers['outreach']:.0%} of doors each month.")
    elif levers["reach"] > 0:
        lines.append("- No outreach: only those who put themselves forward take part.")
    return "\n".join(lines)
