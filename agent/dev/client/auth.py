"""The Entra bearer token a Foundry agent endpoint wants on the WebSocket upgrade."""

from __future__ import annotations

from urllib.parse import urlsplit

#: The scope azure-ai-projects uses for Foundry project endpoints.
FOUNDRY_SCOPE = "https://ai.azure.com/.default"


def needs_token(url: str) -> bool:
    """Foundry endpoints need a token; a local container (ws:// on any host) does not."""
    parts = urlsplit(url)
    return parts.scheme == "wss" and (parts.hostname or "").endswith(".ai.azure.com")


def bearer_headers(url: str) -> dict[str, str]:
    """``{"Authorization": "Bearer ..."}`` for Foundry URLs (DefaultAzureCredential), else ``{}``."""
    if not needs_token(url):
        return {}
    from azure.identity import DefaultAzureCredential

    with DefaultAzureCredential() as credential:
        return {"Authorization": f"Bearer {credential.get_token(FOUNDRY_SCOPE).token}"}
