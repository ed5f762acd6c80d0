"""Word lists the demo company is made of: company names, industries, people, job titles.

Plain data, kept in one place so the generators stay readable. Every word is ASCII so names
turn into domains and email addresses without transliteration.
"""

from __future__ import annotations

# The first word of a company name ("Northwind", "Bluefin" …).
NAME_PREFIXES = (
    "Acorn Aether Alder Alpine Amber Anchor Apex Arbor Arcadia Argent Aspen Atlas Aurora Azure "
    "Basalt Beacon Bellwether Birch Blackstone Bluefin Bluebird Boulder Brightwater Brook Cairn "
    "Canyon Cardinal Cascade Cedar Century Chestnut Cinder Citadel Clearview Cobalt Compass "
    "Copper Coral Cornerstone Crescent Crestline Cypress Delta Driftwood Eastgate Echo Elm "
    "Ember Emerald Evergreen Fairway Falcon Fathom Fern Fieldstone Firefly Flint Foxglove "
    "Frontier Galena Garnet Glacier Golden Granite Greenfield Greystone Harbor Harvest Hawthorn "
    "Heron Highland Horizon Indigo Iron Ironwood Ivy Jade Juniper Keystone Kestrel Lakeshore "
    "Lantern Larkspur Laurel Ledger Lighthouse Linden Lodestar Lumen Magnolia Maple Mariner "
    "Meadow Meridian Mesa Midland Monarch Moraine Mosaic Northwind Northstar Nova Oakridge "
    "Obsidian Onyx Orchard Osprey Pacific Paragon Pathfinder Pebble Peregrine Pinnacle Pioneer "
    "Polaris Prairie Prism Quarry Quartz Radiant Raven Redwood Ridgeline Riverbend Rookery "
    "Sable Saffron Sage Sapphire Sequoia Shoreline Sierra Silverline Skyline Slate Solstice "
    "Sparrow Spruce Starling Stonebridge Summit Sunstone Sycamore Tamarack Tidewater Timber "
    "Topaz Trailhead Trident Tundra Upland Vanguard Verdant Vertex Vista Waypoint Westbrook "
    "Willow Windward Wren Yellowstone Zenith Zephyr"
).split()

# The second word of a company name, grouped by the industry it suggests.
NAME_NOUNS_BY_INDUSTRY: dict[str, tuple[str, ...]] = {
    "Software": ("Analytics", "Software", "Data", "Cloud", "Labs", "Digital", "Logic", "Apps"),
    "Logistics": ("Logistics", "Freight", "Shipping", "Cargo", "Transit", "Fleet", "Supply"),
    "Healthcare": ("Health", "Care", "Clinics", "Medical", "Therapeutics", "Wellness", "Dental"),
    "Financial Services": ("Capital", "Finance", "Payments", "Insurance", "Lending", "Wealth"),
    "Retail": ("Retail", "Market", "Goods", "Outfitters", "Trading", "Mercantile", "Home"),
    "Energy": ("Energy", "Solar", "Power", "Utilities", "Renewables", "Grid"),
    "Food & Beverage": ("Foods", "Kitchen", "Farms", "Brewing", "Provisions", "Coffee"),
    "Media": ("Media", "Studios", "Press", "Broadcasting", "Publishing", "Creative"),
    "Education": ("Learning", "Academy", "Education", "Tutoring", "Schools"),
    "Manufacturing": ("Manufacturing", "Industries", "Works", "Fabrication", "Machining", "Tools"),
    "Real Estate": ("Realty", "Properties", "Homes", "Estates", "Living"),
    "Hospitality": ("Travel", "Hotels", "Hospitality", "Resorts", "Events"),
    "Telecommunications": ("Telecom", "Networks", "Wireless", "Connect", "Fiber"),
    "Professional Services": ("Consulting", "Advisors", "Legal", "Staffing", "Partners"),
    "Construction": ("Construction", "Builders", "Engineering", "Architecture", "Materials"),
}

# The optional third word; "" (no third word) is by far the most common.
NAME_DESIGNATORS = (
    "",
    "Group",
    "Inc",
    "Co",
    "Holdings",
    "Global",
    "International",
    "Solutions",
    "Systems",
    "Technologies",
    "Collective",
    "Ventures",
)

# Divisions of a parent company, each its own account ("Northwind Logistics Europe"), with
# the region they are in (None: wherever headquarters is). Headquarters pays for them all.
DIVISIONS: dict[str, str | None] = {
    "Europe": "Europe",
    "Asia Pacific": "Asia Pacific",
    "North America": "North America",
    "Latin America": "Latin America",
    "Nordics": "Europe",
    "Japan": "Asia Pacific",
    "Australia": "Asia Pacific",
    "Canada": "North America",
    "Germany": "Europe",
    "France": "Europe",
    "Digital": None,
    "Services": None,
}

FIRST_NAMES = (
    "Aaron Abigail Adam Adriana Ahmed Aiden Alana Alejandro Alex Alice Amara Amelia Amir Ana "
    "Andrea Andrew Angela Anika Anna Anthony Arjun Ava Ben Bianca Brandon Camila Carlos Caroline "
    "Chloe Chris Claire Daniel Daria David Diana Diego Dylan Elena Eli Elijah Elise Emily Emma "
    "Ethan Eva Fatima Felix Fiona Gabriel Grace Hana Hannah Harper Hassan Henry Hugo Ines Isaac "
    "Isabel Ivan Jack Jacob James Jamie Jasmine Javier Jenna Jessica Jin Joel John Jonas Jordan "
    "Jose Joshua Julia Julian Kai Karen Karim Kate Kenji Kevin Kofi Lara Laura Layla Leah Leo "
    "Liam Lily Lina Lucas Lucia Luis Luke Maria Mark Marta Mason Matteo Maya Mei Mia Michael "
    "Miguel Mila Nadia Naomi Nathan Nina Noah Nora Olivia Omar Oscar Owen Paul Pedro Priya "
    "Rachel Rafael Rahul Rebecca Ricardo Riley Rosa Ryan Sam Samuel Sara Sean Sofia Sophie "
    "Stefan Sunil Tara Thomas Tobias Tom Valentina Victor Wei William Yara Yusuf Zara Zoe"
).split()

LAST_NAMES = (
    "Abbott Adams Ahmed Alvarez Anderson Bailey Baker Banerjee Bauer Bennett Berg Bianchi "
    "Brooks Brown Campbell Carter Castro Chen Clark Cohen Collins Cook Cooper Costa Cruz Das "
    "Davies Diaz Dubois Edwards Evans Fischer Fisher Flores Foster Garcia Gomez Gonzalez Gray "
    "Green Gupta Hall Hansen Harris Hayes Hernandez Hill Hoffmann Huang Hughes Ibrahim Ito "
    "Jackson Jensen Johnson Jones Kapoor Kaur Keller Kelly Khan Kim King Klein Kowalski Kumar "
    "Larsen Lee Lewis Lin Lopez Martin Martinez Meyer Miller Mitchell Moore Morales Morgan "
    "Murphy Nakamura Nguyen Nielsen Novak Okafor Olsen Ortiz Park Patel Perez Peterson Phillips "
    "Price Ramirez Reed Reyes Richter Rivera Roberts Robinson Rodriguez Rossi Russo Sanchez "
    "Santos Schmidt Schneider Scott Shah Silva Singh Smith Sorensen Stewart Suzuki Tanaka "
    "Taylor Thomas Thompson Torres Turner Walker Wang Ward Watson Weber White Williams Wilson "
    "Wong Wright Wu Yamamoto Yang Young Zhang"
).split()

# Job titles by persona; the first titles are those of small companies.
TITLES_BY_PERSONA: dict[str, tuple[str, ...]] = {
    "decision_maker": (
        "CEO",
        "Founder",
        "COO",
        "VP of Operations",
        "VP of Customer Experience",
        "Chief Revenue Officer",
        "Head of Engineering",
        "Director of Operations",
        "CFO",
        "VP of Sales",
    ),
    "champion": (
        "Operations Manager",
        "Product Manager",
        "Team Lead",
        "Customer Success Lead",
        "Head of Support",
        "Program Manager",
        "Marketing Operations Manager",
        "Engineering Manager",
    ),
    "admin": (
        "Office Manager",
        "IT Administrator",
        "Systems Administrator",
        "RevOps Manager",
        "Business Systems Analyst",
        "IT Manager",
    ),
    "end_user": (
        "Analyst",
        "Specialist",
        "Coordinator",
        "Account Executive",
        "Support Agent",
        "Software Engineer",
        "Designer",
        "Data Analyst",
        "Customer Success Manager",
        "Sales Representative",
    ),
}

ACQUISITION_CHANNELS = ("inbound", "outbound", "partner", "self-serve", "event")

# --- outcomes and activities ---------------------------------------------------------------

# Who sold the account: named on its hand-off from sales.
SALES_REPS = (
    "Ethan Brooks",
    "Priya Nair",
    "Tom Becker",
    "Lena Fischer",
    "Marcus Green",
    "Sara Lindqvist",
)
HANDOFF_NOTES = (
    "Signed after a four-week pilot with the support team.",
    "Chose us over a spreadsheet-based process; expects quick wins.",
    "Budget approved for this year; renewal depends on the promised result.",
    "The champion drove the deal; the economic buyer wants monthly proof.",
    "Came through a partner, who stays involved in the rollout.",
    "",
)
# A sentence that makes a template's Required Outcome this customer's own.
REQUIRED_OUTCOME_DETAILS = (
    "Starting with the {team} team, then every region.",
    "The board reviews it every quarter.",
    "Before their peak season starts.",
    "Measured against last year's figures.",
)
TEAMS = ("support", "operations", "marketing", "events", "customer care", "sales")
# What each kind of stakeholder hopes for, where they want different things.
STAKEHOLDER_OUTCOMES = {
    "decision_maker": (
        "A lower cost to serve, visible in the quarterly numbers",
        "Proof the investment pays back within the year",
        "Fewer customers lost to slow service",
    ),
    "champion": (
        "Less time on manual reporting every week",
        "A team that runs campaigns without IT's help",
        "A promotion-worthy rollout across every team",
    ),
}

# Subjects of logged activities, by activity type; "{quarter}" is filled in with the date.
ACTIVITY_SUBJECTS = {
    "meeting": ("Roadmap walkthrough", "Planning meeting", "Workshop on their goals"),
    "call": ("Call about open questions", "Call: renewal planning", "Call about the integration"),
    "check_in": ("Monthly check-in", "Check-in on adoption", "Catch-up with the champion"),
    "email": ("Follow-up after our call", "Tips for the next campaign", "Summary of next steps"),
    "training": ("Training for new users", "Admin training", "Advanced reporting training"),
    "onboarding_session": (
        "Onboarding: kick-off",
        "Onboarding: integration",
        "Onboarding: admin set-up",
        "Onboarding: first workflow",
    ),
    "business_review": ("{quarter} business review",),
    "report_sent": ("Monthly usage report", "Progress report on their goals"),
    "webinar": ("Webinar: getting started", "Webinar: what's new", "Webinar: best practices"),
    "in_app": (
        "Welcome checklist",
        "Tip: launch a campaign from a template",
        "New feature announcement",
    ),
    "escalation": (
        "Escalation: integration errors",
        "Escalation: billing question",
        "Escalation: slow reports",
    ),
}
# Subjects of the automated programs' emails.
PROGRAM_EMAIL_SUBJECTS = (
    "Welcome: set up your account",
    "Day 7: launch your first campaign",
    "Your first month in numbers",
    "Three templates teams like yours use",
)
ACTIVITY_NOTES = (
    "Agreed next steps with the champion.",
    "They asked for a second training.",
    "Budget approved for more seats.",
    "Concerned about slow reports; followed up with support.",
    "Walked through the progress on their goals.",
    "New stakeholder joined: introduced the success plan.",
)
# Notes on measurements of a goal's KPI.
EVIDENCE_NOTES = (
    "Confirmed at the business review",
    "Sent by the champion",
    "Month-end figure",
)
