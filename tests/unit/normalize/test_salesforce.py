"""`salesforce-cdc`: Case change events become `case.*` timeline entries (never contacts)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from unit.normalize import golden

from journeyflow.normalize import salesforce
from journeyflow.normalize.format import NormalizeError
from journeyflow.normalize.settings import NormalizeSettings, SalesforceSettings


@pytest.mark.parametrize("case", golden.cases("salesforce-cdc"), ids=str)
def test_golden(case: golden.Case) -> None:
    golden.check(case)


def _fixture(name: str) -> Any:
    return golden.Case("salesforce-cdc", name).body()


def _created() -> dict[str, Any]:
    body = _fixture("case_created_cometd")
    assert isinstance(body, dict)
    return body


def _settings(**salesforce_settings: Any) -> NormalizeSettings:
    return NormalizeSettings(salesforce=SalesforceSettings(**salesforce_settings))


def test_a_case_is_never_a_contact() -> None:
    for name in ("case_created_cometd", "case_closed_bare", "web_case_lifecycle_array"):
        assert all(
            "contact_id" not in event
            for event in golden.actual(golden.Case("salesforce-cdc", name))
        )


def test_the_same_message_delivered_in_each_envelope_gives_the_same_events() -> None:
    message = _created()["payload"]
    bare = salesforce.normalize(message, NormalizeSettings())
    cometd = salesforce.normalize({"schema": "x", "payload": message}, NormalizeSettings())
    legacy = salesforce.normalize(
        {"data": {"payload": message}, "channel": "/data/CaseChangeEvent"}, NormalizeSettings()
    )
    assert bare == cometd == legacy


def test_origin_maps_to_channel_case_insensitively_through_configuration() -> None:
    body = _created()
    body["payload"]["Origin"] = "whatsapp"
    [unknown] = salesforce.normalize(body, NormalizeSettings())
    assert unknown.channel == "web"  # the default channel for unlisted origins
    settings = _settings(origin_channels={"WhatsApp": "social"}, default_channel="email")
    [mapped] = salesforce.normalize(body, settings)
    assert mapped.channel == "social"
    body["payload"]["Origin"] = "Fax"
    [fallback] = salesforce.normalize(body, settings)
    assert fallback.channel == "email"


def test_reason_goes_through_the_intent_map_and_type_stands_in_when_reason_is_absent() -> None:
    body = _created()
    settings = NormalizeSettings(intent_map={"performance": "product_fault", "electrical": "power"})
    [event] = salesforce.normalize(body, settings)
    assert event.intent == "product_fault"
    del body["payload"]["Reason"]
    [event] = salesforce.normalize(body, settings)
    assert event.intent == "power"


def test_a_configured_closed_status_resolves_the_case() -> None:
    body = _fixture("case_closed_bare")
    body["Status"] = "Solved"
    del body["IsClosed"]
    [unresolved] = salesforce.normalize(body, NormalizeSettings())
    assert unresolved.kind == "case.updated"
    assert unresolved.outcome is None
    [resolved] = salesforce.normalize(body, _settings(closed_statuses=["Closed", "solved"]))
    assert resolved.kind == "case.resolved"
    assert resolved.outcome == "resolved"


def test_by_default_the_case_id_joins_updates_to_the_customer_of_the_case() -> None:
    settings = _settings()
    [opened] = salesforce.normalize(_created(), settings)
    [closed] = salesforce.normalize(_fixture("case_closed_bare"), settings)
    assert opened.identifiers["crm_case_id"] == closed.identifiers["crm_case_id"]
    assert closed.identifiers == {"crm_case_id": "500RM000003kQzWYAU"}


def test_account_id_can_be_switched_off_where_an_account_is_a_company() -> None:
    settings = _settings(account_identifier=None, case_identifier=None)
    [event] = salesforce.normalize(_created(), settings)
    assert event.identifiers == {"crm_contact_id": "003RM000006gY9bYAE"}


def test_event_ids_are_stable_so_a_replayed_message_is_a_duplicate() -> None:
    first = salesforce.normalize(_created(), NormalizeSettings())
    replayed = salesforce.normalize(copy.deepcopy(_created()), NormalizeSettings())
    assert [e.event_id for e in first] == [e.event_id for e in replayed]
    assert first[0].event_id == "0005e192-9e62-2554-3880-3c3718bd6308:1:500RM000003kQzWYAU"


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda h: h.pop("recordIds"), "$.payload.ChangeEventHeader.recordIds"),
        (lambda h: h.update(recordIds=[]), "$.payload.ChangeEventHeader.recordIds"),
        (lambda h: h.update(recordIds=[7]), "$.payload.ChangeEventHeader.recordIds[0]"),
        (lambda h: h.update(changeType="MERGE"), "$.payload.ChangeEventHeader.changeType"),
        (lambda h: h.update(commitTimestamp="soon"), "$.payload.ChangeEventHeader.commitTimestamp"),
        (lambda h: h.update(sequenceNumber=-1), "$.payload.ChangeEventHeader.sequenceNumber"),
        (lambda h: h.pop("transactionKey"), "$.payload.ChangeEventHeader.transactionKey"),
    ],
)
def test_a_broken_header_is_rejected_with_its_path(mutate: Any, path: str) -> None:
    body = _created()
    mutate(body["payload"]["ChangeEventHeader"])
    with pytest.raises(NormalizeError) as raised:
        salesforce.normalize(body, NormalizeSettings())
    assert raised.value.path == path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"schema": "x"}, "expected a change event message"),
        ({"payload": {"Status": "New"}}, "ChangeEventHeader: required field is missing"),
        ([], "expected an object"),
    ],
)
def test_something_that_is_no_change_event_is_rejected(body: Any, message: str) -> None:
    with pytest.raises(NormalizeError, match=message):
        salesforce.normalize(body, NormalizeSettings())


def test_an_array_is_split_into_its_messages() -> None:
    body = _fixture("web_case_lifecycle_array")
    assert salesforce.FORMAT.split(body) == body
    assert salesforce.FORMAT.split(_created()) == [_created()]


def test_a_case_created_closed_is_opened_and_resolved() -> None:
    body = _created()
    body["payload"].update(Status="Closed", IsClosed=True)
    opened, resolved = salesforce.normalize(body, NormalizeSettings())
    assert (opened.kind, resolved.kind) == ("case.opened", "case.resolved")
    assert resolved.outcome == "resolved"
    assert resolved.event_id == f"{opened.event_id}:case.resolved"


def test_an_update_that_leaves_the_status_alone_does_not_resolve_again() -> None:
    body = _fixture("case_closed_bare")  # enriched: Status repeated though unchanged
    body["ChangeEventHeader"]["changedFields"] = ["Priority", "LastModifiedDate"]
    body["Priority"] = "Low"
    [event] = salesforce.normalize(body, NormalizeSettings())
    assert event.kind == "case.updated"
    assert event.outcome is None
