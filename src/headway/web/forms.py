"""Reading HTML form fields: blank means "not given", and a bad value names its field."""

from __future__ import annotations

import math
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from headway.core.errors import InvalidInput

Model = TypeVar("Model", bound=BaseModel)


def form_date(value: str, field: str) -> date | None:
    """A date field (YYYY-MM-DD), or None when left blank."""
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{field}: expected a date YYYY-MM-DD, not {value!r}") from None


def form_number(value: str, field: str) -> float | None:
    """A number field, or None when left blank."""
    value = value.strip().replace(",", "")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise InvalidInput(f"{field}: expected a number, not {value!r}") from None
    if not math.isfinite(number):
        raise InvalidInput(f"{field}: expected a finite number, not {value!r}")
    return number


def form_whole(value: str, field: str) -> int | None:
    """A whole-number field, or None when left blank."""
    number = form_number(value, field)
    if number is None:
        return None
    if not number.is_integer():
        raise InvalidInput(f"{field}: expected a whole number, not {value!r}")
    return int(number)


def validated(model: type[Model], data: dict[str, Any]) -> Model:
    """Build a schema from form data; its validation errors become one readable message."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        messages = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'form'}: {e['msg']}" for e in error.errors()
        )
        raise InvalidInput(messages) from None
