"""`zendesk-sunshine`: a conversation is a chat contact; bot -> agent is one escalation."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from unit.normalize import golden

from journeyflow.normalize import zendesk_sunshine
from journeyflow.normalize.format import NormalizeError
from journeyflow.normalize.settings import NormalizeSettings, ZendeskSunshineSettings
from journeyflow.normalize.zendesk_sunshine_webhook import TRIGGERS

FORMAT = zendesk_sunshine.FORMAT


@pytest.mark.parametrize("case", golden.cases("zendesk-sunshine"), ids=str)
def test_golden(case: golden.Case) -> None:
    golden.check(case)


def _delivery(name: str) -> dict[str, Any]:
    body = golden.Case("zendesk-sunshine", name).body()
    assert isinstance(body, dict)
    return body


def _events(body: Any, settings: NormalizeSettings | None = None) -> list[Any]:
    settings = settings or NormalizeSettings()
    return [e for item in FORMAT.split(body) for e in FORMAT.normalize(item, settings)]


def _create_event(**conversation: Any) -> dict[str, Any]:
    event = copy.deepcopy(_delivery("conversation_create_docs")["events"][0])
    event["payload"]["conversation"].update(conversation)
    return event


class TestEscalation:
    def test_a_bot_conversation_passed_to_an_agent_gives_exactly_one_escalation(self) -> None:
        events = _events(_delivery("bot_conversation_passed_to_agent"))
        assert [e.kind for e in events] == ["contact.started", "contact.escalated", "contact.ended"]
        started, escalated, ended = events
        assert started.channel == "bot"
        assert escalated.from_ is not None
        assert escalated.from_.channel == "bot"
        assert escalated.to is not None
        assert escalated.to.channel == "chat"
        assert {e.contact_id for e in events} == {"6571a2b3c4d5e6f708192a3b"}
        assert ended.outcome == "resolved"

    def test_a_retried_delivery_repeats_the_same_event_ids(self) -> None:
        body = _delivery("bot_conversation_passed_to_agent")
        first, again = _events(body), _events(copy.deepcopy(body))
        assert [e.event_id for e in first] == [e.event_id for e in again]

    def test_passing_control_to_a_bot_is_no_escalation(self) -> None:
        assert _events(_delivery("pass_control_to_bot_docs")) == []

    def test_which_integrations_are_human_is_configurable(self) -> None:
        body = _delivery("pass_control_to_bot_docs")  # control passed to the integration "bot"
        settings = NormalizeSettings(
            zendesk_sunshine=ZendeskSunshineSettings(agent_integration_names=["Bot"])
        )
        [escalated] = _events(body, settings)
        assert escalated.kind == "contact.escalated"

    def test_transfer_to_email_ends_the_chat_as_transferred(self) -> None:
        body = _delivery("pass_control_to_bot_docs")
        body["events"][0]["payload"]["reason"] = "transferToEmail"
        [ended] = _events(body)
        assert ended.kind == "contact.ended"
        assert ended.outcome == "transferred"


class TestConversationStart:
    def test_a_conversation_without_a_controlling_integration_is_a_chat(self) -> None:
        event = _create_event()
        del event["payload"]["conversation"]["activeSwitchboardIntegration"]
        [started] = FORMAT.normalize(event, NormalizeSettings())
        assert started.channel == "chat"

    def test_identifiers_come_from_the_user_profile_identities_and_external_id(self) -> None:
        event = _create_event()
        event["payload"]["user"]["identities"] = [
            {"type": "email", "value": "ana@example.com"},
            {"type": "phoneNumber", "value": "+14155550100"},
        ]
        [started] = FORMAT.normalize(event, NormalizeSettings())
        assert started.identifiers == {
            "chat_user_id": "26508c10541a4b0ff472e5e2",
            "customer_id": "912382197",
            "email": "ana@example.com",
            "phone": "+14155550100",
        }

    def test_the_external_id_type_is_configurable_or_ignored(self) -> None:
        config = ZendeskSunshineSettings(external_id_identifier="account_id")
        [started] = FORMAT.normalize(_create_event(), NormalizeSettings(zendesk_sunshine=config))
        assert started.identifiers["account_id"] == "912382197"
        config = ZendeskSunshineSettings(external_id_identifier=None)
        [started] = FORMAT.normalize(_create_event(), NormalizeSettings(zendesk_sunshine=config))
        assert set(started.identifiers) == {"chat_user_id"}

    def test_intent_comes_from_conversation_metadata_through_the_intent_map(self) -> None:
        event = _create_event(metadata={"intent": "Refund request"})
        settings = NormalizeSettings(intent_map={"refund request": "billing"})
        [started] = FORMAT.normalize(event, settings)
        assert started.intent == "billing"


class TestRejections:
    def test_every_documented_trigger_is_accepted(self) -> None:
        conversation = {"id": "c1", "type": "personal"}
        for type_ in TRIGGERS:
            event = {
                "id": "e1",
                "type": type_,
                "createdAt": "2020-09-30T15:14:29.834Z",
                "payload": {"conversation": conversation},
            }
            assert isinstance(FORMAT.normalize(event, NormalizeSettings()), list)

    @pytest.mark.parametrize(
        ("mutate", "path"),
        [
            (lambda e: e.pop("createdAt"), "$.createdAt"),
            (lambda e: e.update(createdAt="30/09/2020"), "$.createdAt"),
            (lambda e: e["payload"].pop("conversation"), "$.payload.conversation"),
            (lambda e: e["payload"]["conversation"].pop("id"), "$.payload.conversation.id"),
            (lambda e: e["payload"]["user"].update(id=5), "$.payload.user.id"),
        ],
    )
    def test_a_broken_event_is_rejected_with_its_path(self, mutate: Any, path: str) -> None:
        event = _create_event()
        mutate(event)
        with pytest.raises(NormalizeError) as raised:
            FORMAT.normalize(event, NormalizeSettings())
        assert raised.value.path == path


def test_a_delivery_is_split_into_its_events_and_an_array_of_deliveries_is_flattened() -> None:
    delivery = _delivery("bot_conversation_passed_to_agent")
    assert FORMAT.split(delivery) == delivery["events"]
    assert FORMAT.split([delivery, delivery]) == delivery["events"] * 2
    single = delivery["events"][0]
    assert FORMAT.split(single) == [single]
