"""What one Amazon Connect contact record says, field by field: pure functions of the record.

`amazon_connect` decides which events a record means; this module reads the values they carry
(identifiers, measures, outcome, revisions) so each rule is stated once.
"""

from __future__ import annotations

from journeyflow.events.model import Outcome
from journeyflow.normalize.amazon_connect_record import ContactRecord
from journeyflow.normalize.common import ROOT, epoch_millis
from journeyflow.normalize.format import NormalizeError
from journeyflow.normalize.settings import AmazonConnectSettings

LEG_EPOCH_LIMIT = 2**32
"""Seconds since 1970 (year 2106) below which a leg's start orders verification revisions."""
UPDATE_OFFSET_LIMIT = 2**31 - 1
OUTCOMES = frozenset(outcome.value for outcome in Outcome)


def revision(record: ContactRecord) -> int:
    """`LastUpdateTimestamp` in epoch milliseconds: a newer copy of a record supersedes."""
    millis = epoch_millis(record.LastUpdateTimestamp)
    if millis < 0:
        raise NormalizeError("must not lie before 1970", f"{ROOT}.LastUpdateTimestamp")
    return millis


def verification_revision(record: ContactRecord) -> int:
    """High bits: 2^32 - 1 minus the leg's start in epoch seconds (an earlier leg wins); low 31
    bits: seconds from the leg's start to its last update (a newer copy of that leg wins)."""
    started = int(record.InitiationTimestamp.timestamp())
    updated = int(record.LastUpdateTimestamp.timestamp())
    if not 0 <= started < LEG_EPOCH_LIMIT:
        raise NormalizeError("must lie between 1970 and 2106", f"{ROOT}.InitiationTimestamp")
    offset = min(max(updated - started, 0), UPDATE_OFFSET_LIMIT)
    return ((LEG_EPOCH_LIMIT - 1 - started) << 31) | offset


def measures(record: ContactRecord) -> dict[str, float]:
    """The leg's durations; handle time = talk + hold + after-contact work."""
    agent = record.Agent
    queue = record.Queue
    talk = agent.AgentInteractionDuration if agent else None
    hold = agent.CustomerHoldDuration if agent else None
    acw = agent.AfterContactWorkDuration if agent else None
    values = {
        "talk_seconds": talk,
        "hold_seconds": hold,
        "acw_seconds": acw,
        "wait_seconds": queue.Duration if queue else None,
    }
    parts = [value for value in (talk, hold, acw) if value is not None]
    if parts:
        values["handle_seconds"] = sum(parts)
    return {key: value for key, value in values.items() if value is not None}


def outcome(record: ContactRecord, connect: AmazonConnectSettings) -> str | None:
    """The outcome attribute when it names an outcome; else abandoned in queue; else
    transferred on; else unknown."""
    raw = record.attribute(connect.outcome_attribute)
    if raw is not None and raw.lower() in OUTCOMES:
        return raw.lower()
    queued = record.Queue is not None and record.Queue.EnqueueTimestamp is not None
    answered = record.Agent is not None and record.Agent.ConnectedToAgentTimestamp is not None
    if queued and not answered:
        return Outcome.ABANDONED.value
    if record.NextContactId:
        return Outcome.TRANSFERRED.value
    return None


def identifiers(record: ContactRecord, connect: AmazonConnectSettings) -> dict[str, str]:
    """The caller's phone (telephone endpoints only) and the configured id attributes."""
    found: dict[str, str] = {}
    endpoint = record.CustomerEndpoint
    if endpoint and endpoint.Address and (endpoint.Type or "").upper() == "TELEPHONE_NUMBER":
        found["phone"] = endpoint.Address
    for kind, attribute in (
        ("customer_id", connect.customer_id_attribute),
        ("account_id", connect.account_id_attribute),
    ):
        value = record.attribute(attribute)
        if value is not None:
            found[kind] = value
    return found


def leg_attributes(record: ContactRecord) -> dict[str, str]:
    """The record's own links, kept on each event so a leg can be traced back to Connect."""
    values = {
        "connect_contact_id": record.ContactId,
        "initiation_method": record.InitiationMethod,
        "previous_connect_contact_id": record.PreviousContactId,
        "next_connect_contact_id": record.NextContactId,
    }
    return {key: value for key, value in values.items() if value}
