"""A prediction endpoint tested as a black box over HTTP.

Protocol (documented in `aisec mltest --help`): aisec POSTs `{"instances": [[f1, f2, ...], ...]}`
and expects `{"probabilities": [[p0, p1, ...], ...]}` (columns in the order of `classes`) or
`{"labels": [...]}`. Requests are batched, paced by a rate limit and bounded by a query budget,
and every response is validated before it is used.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from aisec.common.errors import InputError, ProbeError
from aisec.probes.ml.interface import OutputKind, QueryBudgetExceeded

if TYPE_CHECKING:
    import numpy as np

MAX_RESPONSE_BYTES = 32 * 1024 * 1024


class HttpTarget:
    """Black-box classifier reached by POSTing JSON rows."""

    def __init__(
        self,
        url: str,
        classes: list[Any],
        *,
        query_budget: int = 100_000,
        rate_limit: float | None = None,
        batch_size: int = 256,
        timeout: float = 30.0,
    ) -> None:
        import httpx

        if not url.startswith(("http://", "https://")):
            raise InputError("endpoint must be an http:// or https:// URL", source="--endpoint")
        if len(classes) < 2:
            raise InputError("need at least two classes", source="--endpoint")
        self.url = url
        self._classes = list(classes)
        self._index = {str(c): i for i, c in enumerate(self._classes)}
        self.query_budget = query_budget
        self.min_interval = 1.0 / rate_limit if rate_limit else 0.0
        self.batch_size = batch_size
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)
        self._queries = 0
        self._last = 0.0
        self._kind: OutputKind | None = None

    @property
    def description(self) -> str:
        return self.url

    @property
    def n_classes(self) -> int:
        return len(self._classes)

    @property
    def classes(self) -> list[Any]:
        return self._classes

    @property
    def output_kind(self) -> OutputKind:
        return self._kind or OutputKind.PROBABILITIES

    @property
    def estimator(self) -> Any | None:
        return None

    @property
    def queries(self) -> int:
        return self._queries

    def postprocess(self, proba: np.ndarray) -> np.ndarray:
        return proba

    def close(self) -> None:
        self._client.close()

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        import numpy as np

        if self._queries + len(x) > self.query_budget:
            raise QueryBudgetExceeded(
                f"query budget of {self.query_budget} rows exhausted "
                f"({self._queries} used, {len(x)} asked)",
                hint="raise --query-budget or lower the per-test sizes",
            )
        parts = [self._post(x[i : i + self.batch_size]) for i in range(0, len(x), self.batch_size)]
        return np.concatenate(parts) if parts else np.zeros((0, self.n_classes))

    def _post(self, rows: np.ndarray) -> np.ndarray:
        import httpx
        import numpy as np

        wait = self._last + self.min_interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last = time.monotonic()
        try:
            resp = self._client.post(self.url, json={"instances": rows.tolist()})
        except httpx.HTTPError as exc:
            raise ProbeError(f"{self.url}: request failed: {exc}") from exc
        self._queries += len(rows)
        if resp.status_code != 200:
            raise ProbeError(f"{self.url}: HTTP {resp.status_code}")
        if len(resp.content) > MAX_RESPONSE_BYTES:
            raise ProbeError(f"{self.url}: response above {MAX_RESPONSE_BYTES} bytes")
        try:
            body = json.loads(resp.content)
        except (ValueError, RecursionError) as exc:
            raise ProbeError(f"{self.url}: response is not JSON (or nested too deep)") from exc
        if isinstance(body, dict) and "probabilities" in body:
            proba = np.asarray(body["probabilities"], dtype=np.float64)
            if proba.shape != (len(rows), self.n_classes) or not np.all(np.isfinite(proba)):
                raise ProbeError(
                    f"{self.url}: 'probabilities' must be {len(rows)}x{self.n_classes} numbers"
                )
            self._kind = OutputKind.PROBABILITIES
            return proba
        if isinstance(body, dict) and isinstance(body.get("labels"), list):
            labels = body["labels"]
            if len(labels) != len(rows):
                raise ProbeError(f"{self.url}: expected {len(rows)} labels, got {len(labels)}")
            onehot = np.zeros((len(rows), self.n_classes))
            for i, label in enumerate(labels):
                idx = self._index.get(str(label))
                if idx is None:
                    raise ProbeError(f"{self.url}: unknown label {str(label)[:40]!r}")
                onehot[i, idx] = 1.0
            self._kind = OutputKind.LABELS
            return onehot
        raise ProbeError(f"{self.url}: response has neither 'probabilities' nor 'labels'")
