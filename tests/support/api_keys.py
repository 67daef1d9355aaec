"""API keys the test service is configured with, one per kind of caller."""

ADMIN_KEY = "test-admin-key-0000"
READ_KEY = "test-read-key-00000"
CHAT_KEY = "test-chat-ingest-key"
API_KEYS = {ADMIN_KEY: ["admin"], READ_KEY: ["read"], CHAT_KEY: ["ingest:chat"]}
