"""Settings of the native formats: a customer's own vocabulary is configuration, not code.

`JOURNEYFLOW_NORMALIZE__INTENT_MAP='{"Billing question": "billing"}'`,
`JOURNEYFLOW_NORMALIZE__AMAZON_CONNECT__INTENT_ATTRIBUTE=ContactReason`, and so on.
Each format owns one nested model here.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field, SecretStr


class AmazonConnectSettings(BaseModel):
    """Which contact attributes carry what (Amazon Connect attributes are free-form)."""

    intent_attribute: str = "intent"
    verified_attribute: str = "verified"
    customer_id_attribute: str = "customer_id"
    account_id_attribute: str = "account_id"


class StripeSettings(BaseModel):
    signing_secret: SecretStr | None = Field(
        default=None, description="endpoint secret (whsec_…); set -> Stripe-Signature is verified"
    )
    signature_tolerance: timedelta = Field(
        default=timedelta(minutes=5), description="oldest signed timestamp accepted"
    )


class SalesforceSettings(BaseModel):
    origin_channels: dict[str, str] = Field(
        default_factory=lambda: {
            "Phone": "voice",
            "Email": "email",
            "Web": "web",
            "Chat": "chat",
        },
        description="Case.Origin -> unified channel",
    )
    closed_statuses: list[str] = Field(default_factory=lambda: ["Closed"])


class ZendeskSunshineSettings(BaseModel):
    pass


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
