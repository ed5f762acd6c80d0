"""One Settings class, read from the environment (prefix HEADWAY_)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "headway-development-secret-change-me"


class Settings(BaseSettings):
    """Every setting Headway reads; each is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="HEADWAY_", extra="ignore")

    database_url: str = Field(
        "sqlite:///./headway.db",
        description="SQLAlchemy URL of the database: sqlite:///path or postgresql+psycopg://…",
    )
    secret_key: str = Field(
        DEV_SECRET_KEY,
        description=(
            "Signs session cookies, CSRF tokens and links. Set a long random value in production."
        ),
    )
    session_max_age_hours: int = Field(
        12, description="How long a login lasts without activity, in hours."
    )
    secure_cookies: bool = Field(
        False, description="Mark cookies Secure (set true when served over HTTPS)."
    )
    reporting_currency: str = Field(
        "USD", description="ISO 4217 code that money across currencies is reported in."
    )
    gross_margin: float = Field(
        0.8,
        gt=0,
        le=1,
        description="Gross margin as a fraction (0.8 = 80 %): LTV and CAC payback use it.",
    )
    reactivation_window_days: int | None = Field(
        None,
        ge=0,
        description=(
            "Days after churning within which a returning account counts as reactivation; "
            "later returns count as new. Unset: reactivation however late."
        ),
    )
    public_url: str = Field(
        "http://localhost:8000",
        description="Address customers reach Headway at: survey links in emails start with it.",
    )
    smtp_host: str | None = Field(
        None, description="SMTP server that sends survey emails (unset: no email is sent)."
    )
    smtp_port: int = Field(25, description="Port of the SMTP server.")
    smtp_username: str | None = Field(None, description="SMTP login, when the server needs one.")
    smtp_password: str | None = Field(None, description="SMTP password.")
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        "none",
        description="none, starttls (upgrade a plain connection) or tls (TLS from the start).",
    )
    mail_from: str = Field(
        "Headway <headway@localhost>", description="From address of the emails Headway sends."
    )
    page_size: int = Field(50, description="Rows per page in lists and API pages (default).")
    log_level: str = Field("info", description="Server log level: debug, info, warning, error.")


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return Settings()
