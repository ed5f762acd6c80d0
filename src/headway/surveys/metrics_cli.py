"""(being written)"""

from __future__ import annotations


def metrics_surveys() -> None:
    """Survey metrics of a period (being written)."""
