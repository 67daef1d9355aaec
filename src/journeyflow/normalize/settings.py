"""Settings of the native formats: a customer's own vocabulary is configuration, not code.

`JOURNEYFLOW_NORMALIZE__INTENT_MAP='{"Billing question": "billing"}'`,
`JOURNEYFLOW_NORMALIZE__AMAZON_CONNECT__INTENT_ATTRIBUTE=ContactReason`, and so on.
Each format owns one nested model here.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field, SecretStr

from journeyflow.events.model import Channel


class AmazonConnectSettings(BaseModel):
    """Which contact attributes carry what (Amazon Connect attributes are free-form)."""

    intent_attribute: str = "intent"
    verified_attribute: str = "verified"
    customer_id_attribute: str = "customer_id"
    account_id_attribute: str = "account_id"
    previous_contact_ref_attribute: str = Field(
        default="previous_contact_ref",
        description="attribute naming an earlier contact (e.g. a chat) whose context was passed on",
    )
    outcome_attribute: str = Field(
        default="outcome",
        description="attribute carrying resolved/unresolved/abandoned/transferred",
    )
    channels: dict[str, str] = Field(
        default_factory=lambda: {"VOICE": "voice", "CHAT": "chat", "EMAIL": "email"},
        description="Connect Channel -> unified channel; a record on an unlisted channel (e.g. "
        "TASK) is rejected with a message naming this setting",
    )
    start_channels: dict[str, str] = Field(
        default_factory=lambda: {"VOICE": "ivr"},
        description="Connect Channel -> channel a customer-initiated contact starts in (a voice "
        "call meets the IVR flow first); reaching a queue or agent is then an escalation",
    )


class StripeSettings(BaseModel):
    """Stripe webhook endpoint: signature checking, and where merchants keep their own ids."""

    signing_secret: SecretStr | None = Field(
        default=None, description="endpoint secret (whsec_…); set -> Stripe-Signature is verified"
    )
    signature_tolerance: timedelta = Field(
        default=timedelta(minutes=5), description="oldest signed timestamp accepted"
    )
    customer_id_metadata_key: str | None = Field(
        default="customer_id",
        description="key of the Stripe object's `metadata` holding the merchant's own customer id "
        "(-> identifiers.customer_id); None ignores metadata",
    )
    ignore_unmapped_types: bool = Field(
        default=False,
        description="accept event types journeyflow does not map as `ignored` (202) instead of "
        "rejecting them (422, which Stripe retries): for endpoints subscribed to all events",
    )


class SalesforceSettings(BaseModel):
    """Salesforce Case vocabulary: picklist values are each org's own."""

    origin_channels: dict[str, Channel] = Field(
        default_factory=lambda: {
            "Phone": Channel.VOICE,
            "Email": Channel.EMAIL,
            "Web": Channel.WEB,
            "Chat": Channel.CHAT,
        },
        description="Case.Origin (case-insensitive) -> unified channel",
    )
    default_channel: Channel = Field(
        default=Channel.WEB,
        description="channel of a case event whose Origin is unlisted or absent (updates carry "
        "only the changed fields, so most have no Origin)",
    )
    closed_statuses: list[str] = Field(
        default_factory=lambda: ["Closed"],
        description="Case.Status values (case-insensitive) that mean resolved, besides IsClosed",
    )
    account_identifier: str | None = Field(
        default="account_id",
        description="identifier type of Case.AccountId; None where an Account is a company "
        "(B2B) rather than a person, or every contact of one company would merge into one",
    )
    case_identifier: str | None = Field(
        default="crm_case_id",
        description="identifier type carrying the Case id (a configured identifier type) so that "
        "updates, which name no contact, join the customer of the case; None: case events carry "
        "only the identifiers in the message",
    )


class ZendeskSunshineSettings(BaseModel):
    """Which switchboard integrations are human agents, and where ids and intent live."""

    agent_integration_types: list[str] = Field(
        default_factory=lambda: ["zd:agentWorkspace"],
        description="switchboard integrationType values that are human agents",
    )
    agent_integration_names: list[str] = Field(
        default_factory=lambda: ["human", "agent"],
        description="switchboard integration names (case-insensitive) that are human agents",
    )
    external_id_identifier: str | None = Field(
        default="customer_id",
        description="identifier type of the user's externalId (the business's own user id); "
        "None ignores it",
    )
    intent_metadata_key: str | None = Field(
        default="intent", description="conversation.metadata key holding the contact reason"
    )


class NormalizeSettings(BaseModel):
    intent_map: dict[str, str] = Field(
        default_factory=dict,
        description="raw reason/type/topic (case-insensitive) -> intent; unmapped values are "
        "kept as they are, lower-cased with spaces as underscores",
    )
    queue_departments: dict[str, str] = Field(
        default_factory=dict, description="queue name -> department"
    )
    amazon_connect: AmazonConnectSettings = Field(default_factory=AmazonConnectSettings)
    stripe: StripeSettings = Field(default_factory=StripeSettings)
    salesforce: SalesforceSettings = Field(default_factory=SalesforceSettings)
    zendesk_sunshine: ZendeskSunshineSettings = Field(default_factory=ZendeskSunshineSettings)
