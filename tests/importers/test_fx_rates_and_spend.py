"""Importing exchange rates and sales and marketing spend: what revenue metrics convert and CAC."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from typer.testing import CliRunner

from headway.core.audit import AuditEntry
from headway.importers.cli import app
from headway.revenue.models import FxRate, SalesMarketingSpend
from tests.importers.support import counts, run_import, where, write_file


def rates(session):
    return [
        (r.currency, r.quote_currency, r.rate_date, r.rate)
        for r in session.scalars(select(FxRate).order_by(FxRate.currency, FxRate.rate_date))
    ]


def spend(session):
    return [
        (s.month, s.category, s.amount_minor, s.currency)
        for s in session.scalars(
            select(SalesMarketingSpend).order_by(
                SalesMarketingSpend.month, SalesMarketingSpend.category
            )
        )
    ]


def test_rates_default_to_the_reporting_currency_and_upsert_by_currency_and_date(session, tmp_path):
    path = write_file(
        tmp_path,
        "rates.csv",
        "currency,date,rate,quote_currency\n"
        "eur,2024-01-31,1.0834,\n"
        "JPY,2024-01-31,0.0067,USD\n"
        "GBP,2024-01-31,1.17,EUR\n",
    )
    assert counts(run_import(session, "fx-rates", path)) == (3, 0, 0, 0)
    assert rates(session) == [
        ("EUR", "USD", date(2024, 1, 31), 1.0834),
        ("GBP", "EUR", date(2024, 1, 31), 1.17),
        ("JPY", "USD", date(2024, 1, 31), 0.0067),
    ]
    assert counts(run_import(session, "fx-rates", path)) == (0, 0, 3, 0)
    changed = write_file(tmp_path, "changed.csv", "currency,date,rate\nEUR,2024-01-31,1.09\n")
    assert counts(run_import(session, "fx-rates", changed)) == (0, 1, 0, 0)
    assert rates(session)[0][3] == 1.09
    audits = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.entity_type == "fx_rate")
    )
    assert audits == 4  # three created, one updated


def test_bad_rates_are_each_named_and_nothing_is_imported(session, tmp_path):
    path = write_file(
        tmp_path,
        "rates.csv",
        "currency,date,rate,source\n"
        "EUR,2024-01-31,0,ecb\n"
        "USD,2024-01-31,1,ecb\n"
        "XYZ,31/01/2024,abc,ecb\n"
        "EUR,2024-02-29,1.1,ecb\n"
        "EUR,2024-02-29,1.2,ecb\n",
    )
    result = run_import(session, "fx-rates", path)
    assert where(result) == [
        (1, "source", "source"),
        (2, "rate", "0"),
        (3, "currency", "USD"),  # the reporting currency itself
        (4, "currency", "XYZ"),
        (4, "date", "31/01/2024"),
        (4, "rate", "abc"),
        (6, "currency", "EUR/USD 2024-02-29"),  # the same rate twice, with two values
    ]
    assert rates(session) == []


def test_spend_is_kept_per_month_category_and_currency_in_minor_units(session, tmp_path):
    path = write_file(
        tmp_path,
        "spend.csv",
        "month,amount,currency,category\n"
        "2024-01,12000.50,USD,ads\n"
        "2024-01,3000,USD,events\n"
        "2024-02-15,150000,JPY,\n",
    )
    assert counts(run_import(session, "spend", path)) == (3, 0, 0, 0)
    assert spend(session) == [
        (date(2024, 1, 1), "ads", 1_200_050, "USD"),
        (date(2024, 1, 1), "events", 300_000, "USD"),
        (date(2024, 2, 1), "", 150_000, "JPY"),
    ]
    again = write_file(tmp_path, "again.csv", "month,amount,currency,category\n2024-01,1,USD,ads\n")
    assert counts(run_import(session, "spend", again)) == (0, 1, 0, 0)
    assert spend(session)[0][2] == 100


def test_bad_spend_rows_are_each_named(session, tmp_path):
    path = write_file(
        tmp_path,
        "spend.csv",
        "month,amount,currency\n2024-13,10,USD\nJanuary,10,USD\n2024-01,-5,USD\n2024-01,1.234,USD\n",
    )
    result = run_import(session, "spend", path)
    assert where(result) == [
        (2, "month", "2024-13"),
        (3, "month", "January"),
        (4, "amount", "-5"),
        (5, "amount", "1.234"),
    ]
    assert spend(session) == []


def test_the_import_commands_read_rates_and_spend_files(session, tmp_path):
    runner = CliRunner()
    rates_file = write_file(tmp_path, "rates.csv", "currency,date,rate\nEUR,2024-01-31,1.08\n")
    spend_file = write_file(tmp_path, "spend.csv", "month,amount,currency\n2024-01,500,USD\n")
    result = runner.invoke(app, ["fx-rates", str(rates_file), "--json"])
    assert result.exit_code == 0, result.output
    assert '"kind": "fx-rates"' in result.stdout and '"created": 1' in result.stdout
    result = runner.invoke(app, ["spend", str(spend_file)])
    assert result.exit_code == 0, result.output
    assert "Imported 1 spend rows" in result.stdout
