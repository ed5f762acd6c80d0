"""Shared base of every domain: database, clock, errors, audit, money. Imports no domain."""
