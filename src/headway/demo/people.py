"""The demo team: who logs in, and which CSM owns which accounts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headway.demo.segments import HIGH_TOUCH, MID_TOUCH, TECH_TOUCH

DEMO_EMAIL_DOMAIN = "demo.headway.test"
DEMO_PASSWORD = "headway-demo"
DEMO_ADMIN_EMAIL = f"admin@{DEMO_EMAIL_DOMAIN}"

# Share of tech-touch accounts in the digital CSM's pool; the rest have no owner (one-to-many).
TECH_TOUCH_POOLED_SHARE = 0.35


@dataclass(frozen=True)
class DemoPerson:
    """Someone of the demo customer-success team who logs in."""

    email: str
    name: str
    role: str  # a headway.users.models.Role value
    segment: int | None = None  # the segment a CSM's book is in (index into SEGMENT_KEYS)


def _csm(name: str, segment: int) -> DemoPerson:
    email = f"{name.lower().replace(' ', '.')}@{DEMO_EMAIL_DOMAIN}"
    return DemoPerson(email=email, name=name, role="csm", segment=segment)


# In hiring order: a small company has the first five, a large one all eight.
_CSMS = (
    _csm("Maya Chen", HIGH_TOUCH),
    _csm("Sofia Rossi", MID_TOUCH),
    _csm("Lucas Meyer", TECH_TOUCH),
    _csm("Daniel Okafor", HIGH_TOUCH),
    _csm("Aisha Rahman", MID_TOUCH),
    _csm("Mateo Alvarez", MID_TOUCH),
    _csm("Hannah Kim", HIGH_TOUCH),
    _csm("Grace Liu", MID_TOUCH),
)


def demo_team(accounts: int) -> tuple[DemoPerson, ...]:
    """The admin, the CS manager and 5–8 CSMs (more for a larger customer base)."""
    csm_count = 5 + sum(accounts >= threshold for threshold in (2_000, 10_000, 50_000))
    return (
        DemoPerson(DEMO_ADMIN_EMAIL, "Demo Admin", "admin"),
        DemoPerson(f"jordan.blake@{DEMO_EMAIL_DOMAIN}", "Jordan Blake", "manager"),
        *_CSMS[:csm_count],
    )


def assign_owners(
    rng: np.random.Generator, team: tuple[DemoPerson, ...], segment: np.ndarray
) -> np.ndarray:
    """Pick each account's owner (index into team, -1 = none) from the CSMs of its segment.

    High-touch CSMs share the few large accounts (small books), mid-touch CSMs the many
    middle ones (large books); tech-touch accounts are partly pooled with the digital CSM and
    otherwise unowned.
    """
    owner = np.full(len(segment), -1, dtype=np.int64)
    for key in (HIGH_TOUCH, MID_TOUCH, TECH_TOUCH):
        members = np.array([i for i, p in enumerate(team) if p.segment == key], dtype=np.int64)
        where = np.flatnonzero(segment == key)
        if len(members) == 0 or len(where) == 0:
            continue
        picked = members[rng.integers(0, len(members), size=len(where))]
        if key == TECH_TOUCH:
            picked[rng.random(len(where)) >= TECH_TOUCH_POOLED_SHARE] = -1
        owner[where] = picked
    return owner
