"""The demo company's tickets and survey answers as bulk files in the canonical import columns.

tickets.csv reads with `headway import tickets`, survey_responses.csv with `headway import
survey-responses` (docs/imports.md), after the accounts and contacts. Times are UTC; tags are
separated by spaces; an answer's response_id is the one the database demo gives it, so loading
the files and loading the demo name every answer alike. Campaigns and invitations have no
import: answers from the files carry no campaign.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from headway.demo.company import DemoCompany
from headway.demo.support_words import TICKET_TYPES
from headway.demo.tickets import CHANNELS, PRIORITIES, SATISFACTION, STATUSES, SUBJECTS

CHUNK_ROWS = 20_000
TICKET_COLUMNS = (
    "ticket_id",
    "account_id",
    "requester_email",
    "subject",
    "channel",
    "type",
    "priority",
    "status",
    "created_at",
    "first_reply_at",
    "solved_at",
    "agent_replies",
    "reopens",
    "satisfaction",
    "closed_at",
    "tags",
)
TICKET_TIMES = ("created_at", "first_reply_at", "solved_at", "closed_at")
TICKET_TYPES_SCHEMA = pa.schema(
    [
        (
            name,
            pa.timestamp("s")
            if name in TICKET_TIMES
            else pa.int64()
            if name in ("agent_replies", "reopens")
            else pa.string(),
        )
        for name in TICKET_COLUMNS
    ]
)
RESPONSE_COLUMNS = (
    "survey_type",
    "account_id",
    "contact_email",
    "score",
    "comment",
    "responded_at",
    "response_id",
)
RESPONSE_TYPES_SCHEMA = pa.schema(
    [
        (
            name,
            pa.timestamp("s")
            if name == "responded_at"
            else pa.int64()
            if name == "score"
            else pa.string(),
        )
        for name in RESPONSE_COLUMNS
    ]
)


def _slices(total: int) -> Iterator[slice]:
    for start in range(0, total, CHUNK_ROWS):
        yield slice(start, min(start + CHUNK_ROWS, total))


def _times(values: np.ndarray) -> list[Any]:
    """datetime64 values as naive UTC datetimes, NaT as None."""
    return values.astype("datetime64[s]").astype(object).tolist()


def ticket_columns(company: DemoCompany) -> Iterator[list[list[Any]]]:
    """The tickets in chunks of columns, in TICKET_COLUMNS order."""
    tickets = company.tickets
    account_ids = company.accounts.external_id
    subjects = np.array([s[1] for s in SUBJECTS], dtype=object)
    tags = np.array([s[2] for s in SUBJECTS], dtype=object)
    rating = np.array([*SATISFACTION, None], dtype=object)  # -1 (not rated) → None
    external_ids = tickets.external_id
    for part in _slices(len(tickets)):
        topic = tags[tickets.subject[part]]
        yield [
            external_ids[part].tolist(),
            account_ids[tickets.account[part]].tolist(),
            company.contacts.email[tickets.contact[part]].tolist(),
            subjects[tickets.subject[part]].tolist(),
            np.array(CHANNELS, dtype=object)[tickets.channel[part]].tolist(),
            np.array(TICKET_TYPES, dtype=object)[tickets.type[part]].tolist(),
            np.array(PRIORITIES, dtype=object)[tickets.priority[part]].tolist(),
            np.array(STATUSES, dtype=object)[tickets.status[part]].tolist(),
            _times(tickets.created_at[part]),
            _times(tickets.first_reply_at[part]),
            _times(tickets.solved_at[part]),
            tickets.agent_replies[part].tolist(),
            tickets.reopens[part].tolist(),
            rating[tickets.satisfaction[part]].tolist(),
            _times(tickets.closed_at[part]),
            np.where(tickets.vip[part], topic + " vip", topic).tolist(),
        ]


def response_columns(company: DemoCompany) -> Iterator[list[list[Any]]]:
    """The survey answers in chunks of columns, in RESPONSE_COLUMNS order."""
    surveys = company.surveys
    responses, invitations = surveys.responses, surveys.invitations
    kinds = surveys.survey_of_response()
    account_ids = company.accounts.external_id
    external_ids = responses.external_id
    for part in _slices(len(responses)):
        asked = responses.invitation[part]
        yield [
            kinds[part].tolist(),
            account_ids[invitations.account[asked]].tolist(),
            company.contacts.email[invitations.contact[asked]].tolist(),
            responses.score[part].tolist(),
            responses.comment[part].tolist(),
            _times(responses.responded_at[part]),
            external_ids[part].tolist(),
        ]
