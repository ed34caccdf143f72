"""A plain-HTTP client never loads the CA bundle (it never does TLS); an HTTPS client still verifies."""
from __future__ import annotations

import asyncio
import ssl

import pytest

from negotiator_app.llm import LLMClient
from negotiator_app.llm.transport import LeanTransport
from tests.fakes.fake_lmstudio import FakeLMStudio


def test_the_lean_transport_talks_plain_http_without_a_tls_context():
    with FakeLMStudio() as fake:
        client = LLMClient(fake.base_url)

        async def talk():
            try:
                await client.status()
            finally:
                await client.aclose()

        asyncio.run(talk())
        transport = client._http._transport
        assert isinstance(transport, LeanTransport)
        assert transport._ssl_context is None  # a request went out, and no CA bundle was loaded for it
        assert fake.all_requests


def test_an_https_lean_transport_verifies():
    context = LeanTransport()._tls()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.cert_store_stats()["x509_ca"] > 0


@pytest.mark.parametrize(("url", "verifies"), [("http://localhost:1234/v1", False), ("https://example.org/v1", True)])
def test_behind_a_proxy_only_an_https_client_loads_certificates_and_verifies(url, verifies, monkeypatch):
    # A proxy in the environment makes the client use httpx's own transport, which builds its TLS context at once.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "")
    client = LLMClient(url)
    try:
        context = client._http._transport._pool._ssl_context  # type: ignore[attr-defined]  # httpx keeps it here
        assert (context.verify_mode == ssl.CERT_REQUIRED) is verifies
        assert (context.cert_store_stats()["x509_ca"] > 0) is verifies
    finally:
        asyncio.run(client.aclose())
