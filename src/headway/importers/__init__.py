"""Imports of accounts, contacts and subscriptions from CSV and XLSX: CRM exports as they come."""
