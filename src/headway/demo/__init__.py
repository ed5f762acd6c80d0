"""The demo company: a deterministic, realistic SaaS customer base to try Headway on.

company.generate_company() is a pure function of (seed, as_of, accounts) built from numpy
arrays; database.py and files.py write it; service.py is what commands call.
"""
