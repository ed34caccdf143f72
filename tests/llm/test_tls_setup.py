"""A plain-HTTP client skips loading the CA bundle (it never does TLS); an HTTPS client still verifies."""
from __future__ import annotations

import asyncio
import ssl

import pytest

from negotiator_app.llm import LLMClient


def _tls_context(client: LLMClient) -> ssl.SSLContext:
    return client._http._transport._pool._ssl_context  # type: ignore[attr-defined]  # httpx keeps it here


@pytest.mark.parametrize(("url", "verifies"), [("http://localhost:1234/v1", False), ("https://example.org/v1", True)])
def test_only_an_https_client_loads_certificates_and_verifies(url, verifies):
    client = LLMClient(url)
    try:
        context = _tls_context(client)
        assert (context.verify_mode == ssl.CERT_REQUIRED) is verifies
        assert (context.cert_store_stats()["x509_ca"] > 0) is verifies
    finally:
        asyncio.run(client.aclose())
