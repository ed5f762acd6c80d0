"""One Settings class, read from the environment (prefix HEADWAY_)."""

from __future__ import annotations

from functools import lru_cache

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
    page_size: int = Field(50, description="Rows per page in lists and API pages (default).")
    log_level: str = Field("info", description="Server log level: debug, info, warning, error.")


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return Settings()
