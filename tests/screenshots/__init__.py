"""Screenshots of Headway's pages in Chromium, for the docs and for a look before a release.

    .venv/bin/python -m tests.screenshots [AREA ...] [--out DIR] [--readme]

Each area builds its own throwaway SQLite database (camera.py), serves it on a loopback port,
logs in and saves <area>-<page>-<width>.png in DIR (test-artifacts/screens). With --readme the
pictures the README and docs/*.md show are written to docs/ too. The areas: areas.py.
"""
