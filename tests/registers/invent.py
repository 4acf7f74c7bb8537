"""Seeded invention of register entries: the truth a rendered register is made from.

Every phrase below was written for these tests; none is taken from a real register. The
vocabulary deliberately holds long words that narrow columns break without a hyphen
("Organisational", "Accountabilities") and real hyphenated words ("multi-agency", "in-year")
that must survive a reader's re-joining of broken words.
"""

from __future__ import annotations

import random

TEXT_LIST_FIELDS = ("cause", "consequences", "controls", "actions", "progress")

IMPACT_LABELS = {
    5: ("Insignificant", "Minor", "Moderate", "Major", "Catastrophic"),
    4: ("Minor", "Significant", "Serious", "Critical"),
}
LIKELIHOOD_LABELS = {
    5: ("Rare", "Unlikely", "Possible", "Likely", "Almost certain"),
    4: ("Unlikely", "Possible", "Likely", "Very likely"),
}

_SHORT_RISK_TITLES = (
    "Cyber attack",
    "Workforce capacity",
    "Data breach",
    "Safeguarding adults",
    "Climate adaptation",
    "Pandemic response",
    "Fraud",
    "Supply chain failure",
    "Estates condition",
    "Organisational resilience",
)
_LONG_RISK_SUBJECTS = (
    "deliver the savings programme set out in the Medium Term Financial Plan",
    "protect children known to the authority from avoidable harm",
    "maintain critical ICT Infrastructure during a prolonged outage",
    "recruit and retain enough qualified staff in hard-to-fill roles",
    "meet the statutory duties arising from new housing legislation",
    "agree clear Accountabilities with health partners for hospital discharge",
    "keep the highway network in a safe condition after severe weather",
    "respond to a major incident affecting more than one district",
    "secure external funding for the regeneration of the town centre",
    "achieve the net zero commitment within the agreed timescale",
    "manage the financial pressures from rising placement costs",
    "comply with information governance and data protection requirements",
    "sustain multi-agency arrangements for domestic abuse victims",
    "complete the capital programme within budget and on time",
    "provide sufficient school places in areas of housing growth",
    "govern the wholly owned companies effectively",
)
_TITLE_OPENERS = ("Failure to", "Inability to", "Risk that we are unable to", "Not being able to")
_OPPORTUNITY_TITLES = (
    "Devolution deal bringing additional investment",
    "Shared back-office services with neighbouring councils",
    "Digital self-service reducing demand on contact centres",
    "Use of surplus land for affordable housing",
    "Community asset transfer of libraries",
    "Joint commissioning with the integrated care board",
    "Income from renewable energy generation on council estate",
    "Apprenticeship levy funding for Organisational development",
)

_CATEGORIES = (
    "Financial",
    "Organisational",
    "Safeguarding",
    "Infrastructure",
    "Reputational",
    "Legal and Regulatory",
    "Operational",
    "Technological",
    "Environmental",
    "People",
    "Partnerships",
    "Health & Safety",
    "Strategic",
)

_CAUSES = (
    "Reductions in government grant beyond those assumed in the financial plan",
    "Rising demand for adult social care packages",
    "Recruitment difficulties in specialist and senior roles",
    "Ageing ICT Infrastructure approaching the end of supported life",
    "Unclear Accountabilities between partner organisations",
    "More frequent severe weather events",
    "National policy changes with short implementation timescales",
    "Dependence on a small number of key suppliers",
    "Phishing and ransomware campaigns aimed at the public sector",
    "Insufficient Organisational capacity to deliver transformation",
    "Inflation in energy and construction contracts",
    "Delays in multi-agency information sharing",
    "Single-year funding settlements preventing long-term planning",
    "Loss of key staff with specialist knowledge",
    "Increase in the number of looked after children",
)
_CONSEQUENCES = (
    "In-year overspend requiring use of reserves",
    "Harm to a vulnerable child or adult",
    "Loss of access to systems holding personal data",
    "Intervention by a regulator or government department",
    "Damage to the reputation of the council with residents and partners",
    "Services not delivered to the expected standard",
    "Legal challenge and associated costs",
    "Financial penalty from the Information Commissioner",
    "Delay to the delivery of corporate priorities",
    "Increased sickness absence and low morale",
    "Reduced Safeguarding oversight",
    "Judicial review of decisions",
    "Inability to set a balanced budget",
)
_CONTROLS = (
    "Monthly budget monitoring reported to the Cabinet",
    "Quarterly performance reports to the Audit and Governance Committee",
    "Bi-annual review of the business continuity plans",
    "Multi-agency Safeguarding Partnership meets every six weeks",
    "Firewall, anti-virus and email filtering managed by the ICT service",
    "Workforce strategy agreed and monitored by the People Board",
    "Scheme of delegation sets out Accountabilities for decisions",
    "Contract management framework applied to all major contracts",
    "Internal audit plan focused on the highest risks",
    "Mandatory data protection training for all staff",
    "Emergency plan tested through an annual live exercise",
    "Capital programme board reviews each scheme at gateway stages",
    "Reserves policy agreed by full Council",
)
_ACTIONS = (
    "Refresh the Medium Term Financial Plan for the next budget round",
    "Implement the recommendations of the peer review",
    "Complete the migration of servers to the cloud",
    "Recruit to the vacant Head of Service post",
    "Deliver the Organisational development programme for managers",
    "Introduce a new case management system for children's social care",
    "Carry out a cyber security penetration test",
    "Review the Infrastructure asset management plan",
    "Agree a joint hospital discharge protocol with health partners",
    "Develop a market position statement for care providers",
    "Undertake a follow-up audit of contract management",
    "Update the corporate business continuity plan",
)
_PROGRESS = (
    "Complete",
    "On track",
    "Delayed: revised date agreed with the portfolio holder",
    "Report to Cabinet in March",
    "Phase one delivered; phase two under way",
    "Consultation closed and responses being analysed",
    "Recruitment campaign launched",
    "Awaiting national guidance",
    "Funding bid submitted to the government",
    "Work paused pending the outcome of the restructure",
)
# Tails make an item long enough to wrap over several lines in a narrow column.
_PROBLEM_TAILS = (
    ", particularly within children's services where demand has grown fastest",
    " which may not become apparent until late in the financial year",
    ", compounded by uncertainty over the funding settlement for future years",
    " and the associated pressure on front-line services and their managers",
    ", taking account of the in-year changes to eligibility criteria",
    " across the Infrastructure and services shared with partner organisations",
)
_RESPONSE_TAILS = (
    ", with progress reported to the Corporate Management Team each month",
    ", including the arrangements for cross-border and multi-agency working",
    " so that Responsibilities and Accountabilities are understood by all parties",
    " as part of a co-ordinated response across the whole organisation",
    ", as agreed at the bi-annual review with the external auditor",
    " and a long-term plan for Safeguarding assurance",
)

_OWNERS = (
    "Chief Executive",
    "Director of Finance",
    "Director of Children's Services",
    "Director of Adult Social Care",
    "Head of ICT",
    "Monitoring Officer",
    "Head of Human Resources",
    "Director of Place",
    "Chief Fire Officer",
    "Assistant Chief Constable",
    "Head of Legal Services",
    "Chief Nurse",
)
_INITIALS = ("MT", "AB", "JRS", "KL/PD", "SW", "DH")

# (text as printed, direction it states)
_DIRECTION_WORDS = (
    ("Level", "level"),
    ("Reducing", "down"),
    ("Increasing", "up"),
    ("New", "new"),
    ("Static", "level"),
    ("Stable", "level"),
    ("Upwards", "up"),
)
_DIRECTION_SENTENCES = (
    ("The risk is being managed and continues to reduce", "down"),
    ("Risk has increased since the last review", "up"),
    ("No change since the last quarter", "level"),
    ("New risk added this quarter", "new"),
)

_AREAS = (
    "Extra-care housing",
    "Safer Communities",
    "Economy and Growth",
    "Healthy Lives",
    "Climate Emergency",
    "Modern Council",
)


def _item(rng: random.Random, phrase: str, pool: tuple[str, ...], long_share: float = 0.35) -> str:
    """One bullet item: a phrase, sometimes lengthened by one or two tails fitting its pool."""
    text = phrase
    tails = _PROBLEM_TAILS if pool in (_CAUSES, _CONSEQUENCES) else _RESPONSE_TAILS
    if pool is not _PROGRESS and rng.random() < long_share:
        first, second = rng.sample(tails, 2)
        text += first + (second if rng.random() < 0.4 else "")
    return text


def _items(rng: random.Random, pool: tuple[str, ...], lo: int = 1, hi: int = 8) -> list[str]:
    """1-8 items, each from a different phrase; short lists are more common than long ones."""
    n = min(rng.choice([lo, lo, lo + 1, lo + 2, lo + 3, hi]), hi)
    return [_item(rng, phrase, pool) for phrase in rng.sample(pool, n)]


def _title(rng: random.Random, kind: str, used: set[str]) -> str:
    """A title whose subject is not already used in this register (titles can be keys)."""
    for _ in range(200):
        if kind == "opportunity":
            subject = title = rng.choice(_OPPORTUNITY_TITLES)
        elif rng.random() < 0.3:
            subject = title = rng.choice(_SHORT_RISK_TITLES)
        else:
            subject = rng.choice(_LONG_RISK_SUBJECTS)
            title = f"{rng.choice(_TITLE_OPENERS)} {subject}"
        if subject not in used:
            used.add(subject)
            return title
    raise ValueError("more entries than distinct titles")


def _ratings(rng: random.Random, scale: int) -> dict:
    """Inherent >= residual >= target, each impact x likelihood on the scale."""
    # the higher of two throws: registers list mostly serious risks
    ii = max(rng.randint(2, scale), rng.randint(2, scale))
    il = max(rng.randint(2, scale), rng.randint(2, scale))
    ri, rl = rng.randint(max(1, ii - 2), ii), rng.randint(max(1, il - 1), il)
    target = None
    if rng.random() < 0.8:
        ti, tl = rng.randint(1, ri), rng.randint(1, rl)
        target = {"impact": ti, "likelihood": tl, "score": ti * tl}
    return {
        "inherent_impact": ii,
        "inherent_likelihood": il,
        "inherent_score": ii * il,
        "residual_impact": ri,
        "residual_likelihood": rl,
        "residual_score": ri * rl,
        "target_score": target and target["score"],
        "target_impact": target and target["impact"],
        "target_likelihood": target and target["likelihood"],
    }


def _refs(rng: random.Random, n: int, ref_style: str) -> list[str]:
    """References in order, with gaps where closed risks were not renumbered."""
    numbers = sorted(rng.sample(range(1, n + n // 3 + 2), n))
    return [ref_style.format(n=k) for k in numbers]


def _direction(rng: random.Random) -> tuple[str | None, str | None]:
    roll = rng.random()
    if roll < 0.15:
        return None, None
    if roll < 0.8:
        return rng.choice(_DIRECTION_WORDS)
    return rng.choice(_DIRECTION_SENTENCES)


def invent_entries(
    seed: int, n: int, kind: str = "risk", ref_style: str = "CR{n}", scale: int = 5
) -> list[dict]:
    """n invented entries of one kind, the same for the same arguments.

    Text fields of several items (cause, consequences, controls, actions, progress) are lists
    of strings; the rest are strings or ints. Also invented, for layouts that print them:
    target impact/likelihood, a review date and a corporate priority; and (from a generator
    of their own, so that adding them changed no earlier entry) a previous score, an action
    owner and a target date.
    """
    rng = random.Random(f"{seed}:{kind}:{ref_style}:{scale}")
    used: set[str] = set()
    entries = []
    for ref in _refs(rng, n, ref_style):
        direction_text, direction = _direction(rng)
        owner = rng.choice(_INITIALS) if rng.random() < 0.3 else rng.choice(_OWNERS)
        entry = {
            "kind": kind,
            "ref": ref,
            "title": _title(rng, kind, used),
            "category": rng.choice(_CATEGORIES),
            "cause": _items(rng, _CAUSES, hi=4),
            "consequences": _items(rng, _CONSEQUENCES, hi=6),
            "controls": _items(rng, _CONTROLS),
            "actions": _items(rng, _ACTIONS),
            "progress": _items(rng, _PROGRESS, hi=3),
            **_ratings(rng, scale),
            "scale": scale,
            "owner": owner,
            "direction_text": direction_text,
            "direction": direction,
            "review_date": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(19, 22)}",
            "priority": rng.choice(_AREAS),
        }
        entry.update(_later_columns(seed, entry))
        entries.append(entry)
    return entries


def _later_columns(seed: int, entry: dict) -> dict:
    """Columns real registers print beside the contract's fields, which belong in `extra`:
    the score of the previous edition (agreeing with the stated direction), the owner of the
    actions, and the date they are due. Seeded by the entry alone."""
    rng = random.Random(f"{seed}:{entry['ref']}:later")
    residual, top = entry["residual_score"], entry["scale"] ** 2
    step = rng.choice((2, 3, 4, 5))
    previous = {
        "up": max(1, residual - step),
        "down": min(top, residual + step),
        "new": None,
    }.get(entry["direction"], residual)
    owner = rng.choice(_INITIALS) if rng.random() < 0.5 else rng.choice(_OWNERS)
    due = (
        "Ongoing"
        if rng.random() < 0.2
        else f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(23, 25)}"
    )
    return {"previous_score": previous, "action_owner": owner, "target_date": due}
