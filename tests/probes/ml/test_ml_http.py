"""A prediction endpoint over real HTTP on 127.0.0.1: probabilities, labels, budget, bad replies."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from aisec.common.errors import ProbeError
from aisec.probes.ml.http_target import HttpTarget
from aisec.probes.ml.interface import OutputKind, QueryBudgetExceeded
from aisec.probes.ml.membership import run_membership

X = np.random.default_rng(0).normal(size=(200, 4))
Y = (X[:, 0] + X[:, 1] > 0).astype(int)
MODEL = LogisticRegression().fit(X, Y)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def do_POST(self):
        rows = np.asarray(
            json.loads(self.rfile.read(int(self.headers["Content-Length"])))["instances"]
        )
        mode = self.path.strip("/")
        if mode == "proba":
            body = {"probabilities": MODEL.predict_proba(rows).tolist()}
        elif mode == "labels":
            body = {"labels": [["no", "yes"][i] for i in MODEL.predict(rows)]}
        elif mode == "short":
            body = {"probabilities": MODEL.predict_proba(rows[:-1]).tolist()}
        else:
            self.send_response(500)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_probabilities_match_model(base_url):
    t = HttpTarget(f"{base_url}/proba", [0, 1], batch_size=64)
    p = t.predict_proba(X[:150])
    assert np.allclose(p, MODEL.predict_proba(X[:150]))
    assert t.queries == 150 and t.output_kind is OutputKind.PROBABILITIES


def test_labels_become_one_hot(base_url):
    t = HttpTarget(f"{base_url}/labels", ["no", "yes"])
    p = t.predict_proba(X[:10])
    assert t.output_kind is OutputKind.LABELS
    assert p.sum(axis=1).tolist() == [1.0] * 10
    assert (np.argmax(p, axis=1) == MODEL.predict(X[:10])).all()


def test_query_budget_is_enforced(base_url):
    t = HttpTarget(f"{base_url}/proba", [0, 1], query_budget=100)
    t.predict_proba(X[:80])
    with pytest.raises(QueryBudgetExceeded):
        t.predict_proba(X[:30])
    assert t.queries == 80


@pytest.mark.parametrize("mode, message", [("short", "must be 10x2"), ("error", "HTTP 500")])
def test_bad_replies_are_probe_errors(base_url, mode, message):
    t = HttpTarget(f"{base_url}/{mode}", [0, 1])
    with pytest.raises(ProbeError) as err:
        t.predict_proba(X[:10])
    assert message in str(err.value)


def test_membership_over_http(base_url, fast):
    from aisec.probes.ml.settings import split_holdout

    split = split_holdout(X[:100], Y[:100], X[100:], Y[100:], 0, "http")
    r = run_membership(HttpTarget(f"{base_url}/proba", [0, 1]), split, fast)
    assert r.n_members == 50 and 0.0 <= r.threshold.auc <= 1.0
    assert r.shadow_template == "RandomForest(100)"
