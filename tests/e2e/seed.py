"""A small, realistic customer base for browser tests and screenshots, written through the services.

Every write happens at its own date in the past (time-machine), so stage history, time in stage,
subscription histories and the timeline look as they would after two years of real use.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import time_machine
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.schemas import AccountCreate
from headway.accounts.service import change_stage, create_account
from headway.contacts.models import Persona
from headway.contacts.schemas import ContactCreate
from headway.contacts.service import create_contact
from headway.core.audit import Actor
from headway.revenue.models import Subscription
from headway.revenue.schemas import Interval, SubscriptionCreate, SubscriptionUpdate
from headway.revenue.service import apply_segment_rules, create_subscription, update_subscription
from headway.users.models import User
from headway.users.service import actor_for_user

SEED = Actor.system("seed data")

_NAMES = (
    "Acme Globex Initech Umbrella Hooli Vandelay Wonka Soylent Tyrell Cyberdyne Stark Wayne "
    "Gringotts Monarch Oscorp Pied Piper Aperture Black Mesa Dunder Sterling Prestige Kramerica "
    "Bluth Oceanic Nakatomi Virtucon Massive Dynamic Zorin Gekko Cogswell Spacely Duff Krusty "
    "Paper Street Sirius Genco Blue Sun Weyland Yoyodyne Ollivander Rekall Buy Nimbus Large Omni"
).split()
_SUFFIXES = ["Analytics", "Logistics", "Health", "Labs", "Retail", "Systems", "Foods", "Media"]
_INDUSTRIES = {
    "Analytics": "Software",
    "Logistics": "Logistics",
    "Health": "Healthcare",
    "Labs": "Biotech",
    "Retail": "Retail",
    "Systems": "Manufacturing",
    "Foods": "Food and beverage",
    "Media": "Media",
}
_FIRST = "Ana Ben Chloé Dev Eli Farah Gus Hana Ivan Jun Kofi Lea Mateo Nora Omar Priya".split()
_LAST = "Silva Novak Okafor Lindqvist Tanaka Moreau Haddad Kowalski Reyes Varga".split()
_TITLES = {
    Persona.CHAMPION: "Head of Operations",
    Persona.DECISION_MAKER: "VP Finance",
    Persona.ADMIN: "IT Administrator",
    Persona.END_USER: "Operations Analyst",
}
# Monthly list prices in USD by tier: tech-touch < 10 k ARR ≤ mid-touch < 100 k ARR ≤ high-touch.
_TIERS = [("tech", 0.5, (49, 690)), ("mid", 0.35, (900, 7_500)), ("high", 0.15, (8_500, 32_000))]


def at(day: date, hour: int = 10) -> datetime:
    """Mid-morning UTC of a day: when the seeded write happened."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


@dataclass
class Seeded:
    """What the seed made, for tests that look for it."""

    accounts: list[Account]
    showcase: Account


class _Writer:
    def __init__(self, session: Session, today: date, people: list[User]) -> None:
        self.session = session
        self.today = today
        self.people = {person.id: person for person in people}
        self.subscription_count = 0

    def account(self, external_id: str, name: str, created: date, **fields: Any) -> Account:
        with time_machine.travel(at(created), tick=False):
            return create_account(
                session=self.session,
                actor=SEED,
                permissions=None,
                data=AccountCreate(external_id=external_id, name=name, **fields),
            )

    def stage(self, account: Account, stage: str, day: date, reason: str) -> None:
        if day > self.today:
            return
        # The owner CSM moves their accounts on, as they would; the seed moves the others.
        owner = self.people.get(account.owner_id or 0)
        with time_machine.travel(at(day, 15), tick=False):
            change_stage(
                session=self.session,
                actor=actor_for_user(owner) if owner else SEED,
                permissions=None,
                account_id=account.id,
                stage=stage,
                reason=reason,
            )

    def subscribe(
        self,
        account: Account,
        plan: str,
        monthly: int,
        start: date,
        *,
        currency: str = "USD",
        interval: Interval = Interval.MONTH,
        quantity: int = 1,
    ) -> Subscription | None:
        if start > self.today:
            return None
        self.subscription_count += 1
        amount = Decimal(monthly * (12 if interval is Interval.YEAR else 1))
        with time_machine.travel(at(start, 9), tick=False):
            return create_subscription(
                session=self.session,
                actor=SEED,
                permissions=None,
                data=SubscriptionCreate(
                    account_id=account.id,
                    external_id=f"sub_{self.subscription_count:05d}",
                    plan=plan,
                    amount=amount,
                    currency=currency,
                    interval=interval,
                    quantity=quantity,
                    start_date=start,
                ),
                reporting_currency="USD",
            )

    def end(self, subscription: Subscription | None, day: date) -> None:
        if subscription is None or day > self.today:
            return
        with time_machine.travel(at(day, 11), tick=False):
            update_subscription(
                session=self.session,
                actor=SEED,
                permissions=None,
                subscription_id=subscription.id,
                changes=SubscriptionUpdate(end_date=day),
                reporting_currency="USD",
            )

    def contacts(self, account: Account, domain: str, rng: random.Random, day: date) -> None:
        personas = [Persona.CHAMPION, Persona.DECISION_MAKER, Persona.ADMIN, Persona.END_USER]
        with time_machine.travel(at(day, 12), tick=False):
            count = rng.randint(2, 4)
            people = zip(rng.sample(_FIRST, count), rng.sample(_LAST, count), strict=True)
            for persona, (first, last) in zip(personas[:count], people, strict=True):
                create_contact(
                    session=self.session,
                    actor=SEED,
                    permissions=None,
                    data=ContactCreate(
                        account_id=account.id,
                        email=f"{first.lower().replace('é', 'e')}.{last.lower()}@{domain}",
                        name=f"{first} {last}",
                        title=_TITLES[persona],
                        persona=persona,
                    ),
                )


def _month(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def seed_showcase(writer: _Writer, owner: User | None) -> Account:
    """Northwind Logistics: two years of a growing high-touch customer, with a parent group."""
    today = writer.today
    start = _month(today, -23)
    group = writer.account(
        "crm-northwind-group",
        "Northwind Group",
        start - timedelta(days=20),
        domain="northwind.example",
        industry="Logistics",
        employees=5200,
        owner_id=owner.id if owner else None,
    )
    account = writer.account(
        "crm-northwind-logistics",
        "Northwind Logistics",
        start - timedelta(days=6),
        domain="logistics.northwind.example",
        industry="Logistics",
        employees=1850,
        owner_id=owner.id if owner else None,
        parent_id=group.id,
        traits={"region": "EMEA", "crm_tier": "Enterprise", "renewal_month": "March"},
    )
    writer.account(
        "crm-northwind-retail",
        "Northwind Retail",
        start + timedelta(days=140),
        domain="retail.northwind.example",
        industry="Retail",
        employees=640,
        parent_id=group.id,
    )
    writer.contacts(account, "northwind.example", random.Random(3), start - timedelta(days=5))
    platform = writer.subscribe(account, "Platform Enterprise", 6_000, start)
    writer.subscribe(account, "Premium support", 1_000, start, interval=Interval.YEAR)
    writer.stage(
        account, "adoption", start + timedelta(days=58), "Kick-off done; first routes live"
    )
    writer.subscribe(account, "Analytics add-on", 1_500, _month(start, 8))
    writer.end(platform, _month(start, 14))
    writer.subscribe(account, "Platform Enterprise", 9_000, _month(start, 14), quantity=1)
    writer.stage(
        account, "loyal", _month(start, 15) + timedelta(days=3), "Renewed early; reference"
    )
    writer.subscribe(account, "Fleet API", 220, _month(start, 19), quantity=5)
    return account


def seed_portfolio(
    session: Session, *, owners: list[User], today: date, accounts: int = 36, seed: int = 7
) -> Seeded:
    """Make a showcase account and `accounts` more, with two years of history up to `today`."""
    rng = random.Random(seed)
    writer = _Writer(session, today, owners)
    showcase = seed_showcase(writer, owners[0] if owners else None)
    made = [showcase]
    names = rng.sample(_NAMES, min(accounts, len(_NAMES)))
    for index in range(accounts):
        base = names[index % len(names)]
        suffix = _SUFFIXES[index % len(_SUFFIXES)]
        name = f"{base} {suffix}"
        domain = f"{base.lower()}-{suffix.lower()}.example"
        tier, _, (low, high) = rng.choices(_TIERS, weights=[t[1] for t in _TIERS])[0]
        created = today - timedelta(days=rng.randint(20, 740))
        owner = rng.choice(owners) if owners and rng.random() < 0.85 else None
        account = writer.account(
            f"crm-{index + 1:04d}",
            name,
            created,
            domain=domain,
            industry=_INDUSTRIES[suffix],
            employees=rng.choice([12, 40, 85, 230, 560, 1400, 3100]),
            owner_id=owner.id if owner else None,
        )
        made.append(account)
        writer.contacts(account, domain, rng, created + timedelta(days=1))
        monthly = round(rng.uniform(low, high), -1 if tier == "tech" else -2)
        interval = Interval.YEAR if tier != "tech" and rng.random() < 0.3 else Interval.MONTH
        start = created + timedelta(days=rng.randint(0, 10))
        main = writer.subscribe(
            account, f"{tier.title()} plan", int(monthly), start, interval=interval
        )
        adopted = start + timedelta(days=rng.randint(35, 100))
        writer.stage(account, "adoption", adopted, "First value reached")
        if rng.random() < 0.35:
            writer.subscribe(
                account, "Add-on seats", int(monthly * 0.25), _month(start, rng.randint(3, 12))
            )
        fate = rng.random()
        if fate < 0.14:
            churn = start + timedelta(days=rng.randint(120, 500))
            if churn <= today:
                writer.end(main, churn)
                writer.stage(account, "churned", churn, "Did not renew")
                if rng.random() < 0.4:
                    back = churn + timedelta(days=rng.randint(60, 160))
                    writer.subscribe(account, f"{tier.title()} plan", int(monthly * 0.8), back)
                    writer.stage(account, "reactivated", back, "Came back with a smaller plan")
        elif fate < 0.5 and (today - start).days > 380:
            writer.stage(account, "loyal", start + timedelta(days=rng.randint(330, 380)), "Renewed")
    # One account also pays in euros: the home page says those are not in its USD figures.
    writer.subscribe(made[1], "EU data residency", 400, today - timedelta(days=90), currency="EUR")
    with time_machine.travel(at(today, 6), tick=False):
        apply_segment_rules(session=session, actor=SEED, currency="USD")
    return Seeded(accounts=made, showcase=showcase)
