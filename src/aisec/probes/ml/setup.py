"""Build a `Job` from what the user named: a model source, data, defences and settings.

Exactly one model source (skops/ONNX file, entry point, HTTP endpoint) or none — then a demo
model (`DemoModel`) is trained here on a seeded split. Labels are mapped to the target's
classes; the member / evaluation / population split is made here and recorded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aisec.common.errors import InputError
from aisec.probes.ml.data import BundledDataset, Table, encode_labels, load_bundled, load_table
from aisec.probes.ml.deps import require_ml
from aisec.probes.ml.findings import Scope
from aisec.probes.ml.interface import MLTest, Target
from aisec.probes.ml.runner import ALL_TESTS, Job
from aisec.probes.ml.settings import Settings, split_holdout, split_one_table
from aisec.probes.ml.thresholds import Thresholds
from aisec.probes.ml.wrappers import EstimatorTarget, LabelOnly, QueryBudget, RoundedConfidence

if TYPE_CHECKING:
    import numpy as np


class DemoModel(StrEnum):
    """Models aisec can train itself when no model is given (for demos and self-tests)."""

    RANDOM_FOREST = "rf"
    DEEP_TREE = "tree"
    LOGISTIC_REGRESSION = "logreg"


@dataclass(frozen=True)
class Request:
    model: Path | None = None
    model_entrypoint: str | None = None
    endpoint: str | None = None
    classes: tuple[str, ...] = ()
    data: Path | None = None
    test: Path | None = None
    label_column: str | None = None
    dataset: BundledDataset | None = None
    demo_model: DemoModel = DemoModel.RANDOM_FOREST
    round_confidence: int | None = None
    labels_only: bool = False
    query_budget: int | None = None
    rate_limit: float | None = None
    tests: tuple[MLTest, ...] = ALL_TESTS
    settings: Settings = Settings()
    thresholds: Thresholds = Thresholds()


def demo_estimator(kind: DemoModel, seed: int) -> Any:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    if kind is DemoModel.RANDOM_FOREST:
        return RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=1)
    if kind is DemoModel.DEEP_TREE:
        return DecisionTreeClassifier(random_state=seed)
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tables(req: Request) -> tuple[Table, Table | None]:
    if req.dataset is not None and req.data is not None:
        raise InputError("give either --dataset or --data, not both", source="arguments")
    if req.dataset is not None:
        if req.test is not None:
            raise InputError("--test goes with --data, not --dataset", source="arguments")
        return load_bundled(req.dataset), None
    if req.data is None:
        raise InputError(
            "no data: give --data FILE (with --label-column) or --dataset NAME", source="arguments"
        )
    train = load_table(req.data, req.label_column)
    test = load_table(req.test, req.label_column) if req.test else None
    if test is not None and test.x.shape[1] != train.x.shape[1]:
        raise InputError(
            f"{test.x.shape[1]} feature columns, but --data has {train.x.shape[1]}",
            source=test.source,
        )
    return train, test


def _load_target(req: Request, data_classes: list[Any]) -> tuple[Target | None, str | None]:
    sources = [s for s in (req.model, req.model_entrypoint, req.endpoint) if s]
    if len(sources) > 1:
        raise InputError(
            "give only one of --model, --model-entrypoint, --endpoint", source="arguments"
        )
    classes = list(req.classes) or data_classes
    if req.model is not None:
        sha = _sha256(req.model) if req.model.is_file() else None
        if req.model.suffix.lower() == ".onnx":
            from aisec.probes.ml.onnx_target import OnnxTarget

            return OnnxTarget(req.model, classes), sha
        from aisec.probes.ml.load_sklearn import load_skops

        return load_skops(req.model), sha
    if req.model_entrypoint:
        from aisec.probes.ml.load_sklearn import load_entrypoint

        return load_entrypoint(req.model_entrypoint), None
    if req.endpoint:
        from aisec.probes.ml.http_target import HttpTarget

        budget = req.query_budget or 100_000
        return HttpTarget(
            req.endpoint, classes, query_budget=budget, rate_limit=req.rate_limit
        ), None
    return None, None


def _sorted_classes(y: np.ndarray) -> list[Any]:
    import numpy as np

    return [v.item() if hasattr(v, "item") else v for v in np.unique(y)]


def prepare(req: Request) -> Job:
    require_ml()
    import numpy as np

    train, test = _tables(req)
    seed = req.settings.seed
    target, sha = _load_target(req, _sorted_classes(train.y))
    provenance = [("data", train.source)] + ([("test", test.source)] if test else [])
    if target is None:  # train a demo model on a seeded split the tool makes itself
        if test is not None:
            x_tr, y_tr, x_ho, y_ho = train.x, train.y, test.x, test.y
        else:
            x_tr, y_tr, x_ho, y_ho = split_one_table(train.x, train.y, seed)
        model = demo_estimator(req.demo_model, seed).fit(x_tr, y_tr)
        target = EstimatorTarget(model, f"demo {req.demo_model.value} on {Path(train.source).name}")
        how = "tool-trained demo model: members = its training rows; held-out rows split 50/50"
        provenance.append(("model", f"demo:{req.demo_model.value}"))
        train = Table(x_tr, y_tr, train.feature_names, train.source)
        test = Table(x_ho, y_ho, train.feature_names, train.source)
    else:
        provenance.append(("model", target.description))
        how = "members = --data rows; --test rows split 50/50 into evaluation and population"
    y_tr_idx = encode_labels(train.y, target.classes, train.source)
    membership_possible = test is not None
    if test is not None:
        y_ho_idx = encode_labels(test.y, target.classes, test.source)
        split = split_holdout(train.x, y_tr_idx, test.x, y_ho_idx, seed, how)
    else:
        how = "no held-out data: evaluation/population rows are training rows"
        split = split_holdout(train.x, y_tr_idx, train.x, y_tr_idx, seed, how)
    if req.labels_only:
        target = LabelOnly(target)
    elif req.round_confidence is not None:
        target = RoundedConfidence(target, req.round_confidence)
    if req.query_budget and not req.endpoint:
        target = QueryBudget(target, req.query_budget)
    return Job(
        target=target,
        split=split,
        train_x=train.x,
        train_y=np.asarray(train.y),
        subject=target.description,
        sha256=sha,
        membership_possible=membership_possible,
        tests=req.tests,
        settings=req.settings,
        thresholds=req.thresholds,
        provenance=tuple(provenance),
        scope=Scope(
            deployed=bool(req.endpoint),
            output_defence=req.labels_only or req.round_confidence is not None,
        ),
    )
