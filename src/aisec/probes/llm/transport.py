"""Shared HTTP behaviour of the network targets: rate limit, deadlines, retries with backoff.

Both HTTP targets post JSON and must behave the same under load: never exceed the configured
request rate, bound every request by one overall deadline (a target that drips its headers or
body byte by byte cannot hold a request longer than `timeout_s`), and retry only what the server
cannot still be working on (connection refused, 429/503 and other 5xx answers, with exponential
backoff that honours `Retry-After`). A request that timed out or whose connection broke after it
was sent is not retried unless `retry_unsafe` is set: the server may still be processing it, and
a retry would only pile more work onto a slow target. Redirects are never followed, so nothing
is sent to a host the user did not configure.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from aisec.common.errors import InputError
from aisec.probes.llm.interface import TargetFailed, TargetUnreachable

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REJECT_STATUSES = frozenset({400, 413, 422})
MAX_RESPONSE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class TransportOptions:
    timeout_s: float = 30.0  # overall deadline of one request: connect, send, headers and body
    retries: int = 3
    backoff_s: float = 0.5
    rate_per_s: float | None = None  # requests per second; None = unlimited
    retry_unsafe: bool = False  # also retry timeouts and broken connections after sending


def check_url(url: str, field: str = "--target") -> httpx.URL:
    """Parse a target URL up front so a malformed one is the user's input error (exit 2),
    not a crash in the middle of a run."""
    try:
        parsed = httpx.URL(url)
        port = parsed.port
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise InputError(f"malformed URL {url!r}: {exc}", field=field) from None
    if parsed.scheme not in ("http", "https"):
        raise InputError(f"URL must start with http:// or https://, got {url!r}", field=field)
    if not parsed.host:
        raise InputError(f"URL has no host: {url!r}", field=field)
    if port is not None and not 0 < port < 65536:
        raise InputError(f"port {port} is out of range 1-65535 in {url!r}", field=field)
    return parsed


class RateLimiter:
    """Token bucket: `rate` tokens per second, burst of one second's worth."""

    def __init__(self, rate_per_s: float | None) -> None:
        self._rate = rate_per_s
        self._capacity = max(1.0, rate_per_s or 1.0)
        self._tokens = self._capacity
        self._last = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        if not self._rate:
            return
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
                self._last = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                await asyncio.sleep((1.0 - self._tokens) / self._rate)


@dataclass(frozen=True)
class HttpResult:
    status: int
    payload: Any
    latency_s: float
    tries: int


def _json(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
        return None


def _retry_after(headers: httpx.Headers, default: float) -> float:
    value = headers.get("retry-after", "")
    try:
        return min(30.0, max(0.0, float(value)))
    except ValueError:
        return default


class JsonPoster:
    """Posts JSON with the shared policy; one instance per target (one connection pool)."""

    def __init__(self, options: TransportOptions, headers: dict[str, str] | None = None) -> None:
        self.options = options
        self._limiter = RateLimiter(options.rate_per_s)
        self._client = httpx.AsyncClient(
            timeout=options.timeout_s,
            headers=headers or {},
            follow_redirects=False,
            trust_env=False,  # no proxy or netrc picked up silently
        )

    async def request(self, method: str, url: str, body: Any | None) -> HttpResult:
        tries = 0
        start = time.perf_counter()
        delay = self.options.backoff_s
        while True:
            tries += 1
            await self._limiter.acquire()
            unsafe_limit = self.options.retries if self.options.retry_unsafe else 0
            try:
                async with asyncio.timeout(self.options.timeout_s):
                    status, headers, content = await self._once(method, url, body)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if tries > self.options.retries:
                    raise TargetUnreachable(
                        f"cannot reach {url}: {type(exc).__name__}",
                        hint="check --target and that the application is running",
                    ) from None
            except (TimeoutError, httpx.TimeoutException):
                if tries > unsafe_limit:
                    raise TargetFailed(
                        f"{url} gave no complete answer within the {self.options.timeout_s:g} s "
                        f"deadline ({tries} tr{'y' if tries == 1 else 'ies'})"
                    ) from None
            except httpx.TransportError as exc:
                if tries > unsafe_limit:
                    raise TargetFailed(f"{url}: {type(exc).__name__}") from None
            else:
                if status in RETRY_STATUSES and tries <= self.options.retries:
                    await asyncio.sleep(_retry_after(headers, delay))
                    delay *= 2
                    continue
                return HttpResult(status, _json(content), time.perf_counter() - start, tries)
            await asyncio.sleep(delay)
            delay *= 2

    async def _once(
        self, method: str, url: str, body: Any | None
    ) -> tuple[int, httpx.Headers, bytes]:
        """One exchange; the body is read in chunks and refused beyond MAX_RESPONSE_BYTES."""
        async with self._client.stream(method, url, json=body) as response:
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise TargetFailed(f"response larger than {MAX_RESPONSE_BYTES} bytes")
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)

    async def aclose(self) -> None:
        await self._client.aclose()
