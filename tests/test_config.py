"""Every setting is documented in docs/configuration.md, and the page names no other."""

from __future__ import annotations

import re
from pathlib import Path

from headway.config import Settings

CONFIGURATION_DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
PREFIX = Settings.model_config.get("env_prefix", "")


def variables_of_settings() -> set[str]:
    return {f"{PREFIX}{name}".upper() for name in Settings.model_fields}


def variables_in_docs() -> set[str]:
    return set(re.findall(rf"\b{PREFIX}[A-Z0-9_]*[A-Z0-9]", CONFIGURATION_DOC.read_text()))


def test_settings_are_read_from_headway_variables() -> None:
    assert PREFIX == "HEADWAY_"


def test_every_setting_is_documented() -> None:
    missing = variables_of_settings() - variables_in_docs()
    assert not missing, f"{CONFIGURATION_DOC.name} does not document {sorted(missing)}"


def test_the_docs_name_no_variable_that_is_not_a_setting() -> None:
    unknown = variables_in_docs() - variables_of_settings()
    assert not unknown, f"{CONFIGURATION_DOC.name} names {sorted(unknown)}, which no setting reads"


def test_the_docs_give_each_setting_its_real_default() -> None:
    docs = CONFIGURATION_DOC.read_text()
    for name, field in Settings.model_fields.items():
        variable = f"{PREFIX}{name}".upper()
        row = re.search(rf"^\| `{variable}` \| `([^`]*)` \|", docs, re.MULTILINE)
        assert row, f"{CONFIGURATION_DOC.name} has no table row for {variable}"
        default = str(field.default).lower() if isinstance(field.default, bool) else field.default
        assert row.group(1) == str(default), f"{variable} defaults to {default!r}"
