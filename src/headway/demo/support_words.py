"""What the demo company's customers write: ticket subjects and survey comments.

Plain data, as in words.py. Subjects are grouped by the kind of ticket they open (question,
incident, problem, task), each with the tag a helpdesk would put on it; comments by survey and
by how the answer felt (positive, neutral, negative).
"""

from __future__ import annotations

# Ticket types as helpdesks name them, and the subjects of each: (subject, tag).
TICKET_TYPES = ("question", "incident", "problem", "task")
TICKET_SUBJECTS: dict[str, tuple[tuple[str, str], ...]] = {
    "question": (
        ("How do I share a report with people outside our workspace?", "reports"),
        ("Can we schedule a dashboard to be emailed every Monday?", "reports"),
        ("Where do I change the billing contact on our invoices?", "billing"),
        ("How are seats counted when someone leaves the company?", "billing"),
        ("Is there a way to filter a dashboard by region?", "dashboards"),
        ("What is the difference between viewers and editors?", "permissions"),
        ("Can we set up single sign-on for our team?", "sso"),
        ("How far back does the export go?", "exports"),
        ("Which fields does the CRM integration sync?", "integrations"),
        ("How do I invite a new colleague?", "users"),
    ),
    "incident": (
        ("Dashboard not loading since this morning", "performance"),
        ("Report export fails with an error", "exports"),
        ("Alerts stopped arriving", "alerts"),
        ("Cannot log in with single sign-on", "sso"),
        ("Integration sync has not run for two days", "integrations"),
        ("Charts show no data for yesterday", "data"),
        ("Invited user never received the email", "users"),
        ("Page times out when opening large reports", "performance"),
    ),
    "problem": (
        ("Numbers in the weekly report do not match our CRM", "data"),
        ("Scheduled reports keep arriving twice", "reports"),
        ("Integration keeps disconnecting every few days", "integrations"),
        ("Dashboards are slow for the whole team", "performance"),
        ("Duplicate records after the last import", "data"),
        ("Permissions reset after each sync", "permissions"),
    ),
    "task": (
        ("Please add three seats to our plan", "billing"),
        ("Please update our invoice address", "billing"),
        ("Remove a former employee's access", "users"),
        ("Request a copy of our data for an audit", "exports"),
        ("Please move our workspace to the EU region", "account"),
        ("Set up a sandbox for our new team", "account"),
    ),
}

# Survey comments by what they answer and how: "relationship" answers NPS, "ticket" answers
# CSAT and CES after a solved ticket.
COMMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "relationship": {
        "positive": (
            "Our team relies on it every day; the weekly reports saved us hours.",
            "Great product and a CSM who actually knows our business.",
            "We reached our reporting goal a month early. Thank you!",
            "Easy to roll out to new teams, and support is quick.",
            "The dashboards are now part of every leadership meeting.",
            "Solid, reliable, and it keeps getting better.",
        ),
        "neutral": (
            "Good overall, but the exports could be more flexible.",
            "Does what we need; onboarding new colleagues takes a while.",
            "Useful, though we only use a part of it so far.",
            "Fine for reporting, we would like more integrations.",
            "Pricing is a bit high for what our smaller teams use.",
        ),
        "negative": (
            "Too few of our people use it to justify the price.",
            "We never got the integration working the way we were promised.",
            "Reports are slow and the numbers do not match our CRM.",
            "Support takes days to answer and issues come back.",
            "We are looking at other tools for next year.",
            "Hard to get value from it without a dedicated admin.",
        ),
    },
    "ticket": {
        "positive": (
            "Quick and friendly answer, solved on the first reply.",
            "Thanks, that fixed it.",
            "Clear explanation, I can do it myself next time.",
            "Fast turnaround, much appreciated.",
            "The agent went the extra mile.",
        ),
        "neutral": (
            "Solved in the end, but it took a few emails.",
            "OK answer, the documentation could cover this.",
            "Fine, though I had to explain the issue twice.",
        ),
        "negative": (
            "Took far too long and the problem is back.",
            "I had to chase for an answer.",
            "The workaround is not a fix.",
            "Closed without actually solving it.",
            "Third ticket about the same issue this quarter.",
        ),
    },
}
