"""Generate the demo fraud classifier used by examples/fraud-classifier.yaml.

Synthetic, fraud-like tabular data (about 10 % positives) from scikit-learn's make_classification
with a fixed seed, written as fraud-train.csv / fraud-test.csv, and a random forest trained on the
training rows, saved with skops as fraud.skops. Re-running gives the same CSV files.

    python examples/models/make_fraud_model.py
    aisec mltest --model examples/models/fraud.skops --data examples/models/fraud-train.csv \
        --test examples/models/fraud-test.csv --label-column is_fraud --json out/mltest.json
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import numpy as np
import skops.io as sio
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

HERE = Path(__file__).resolve().parent
SEED = 20261126
FEATURES = (
    "amount_z",
    "hour_sin",
    "hour_cos",
    "merchant_risk",
    "card_age_days_z",
    "txn_last_24h_z",
    "distance_home_z",
    "device_change",
)


def make_data() -> tuple[np.ndarray, np.ndarray]:
    x, y = make_classification(
        n_samples=2000,
        n_features=len(FEATURES),
        n_informative=5,
        n_redundant=2,
        weights=[0.9, 0.1],
        flip_y=0.01,
        class_sep=1.2,
        random_state=SEED,
    )
    return np.round(x, 3), y


def write_csv(path: Path, x: np.ndarray, y: np.ndarray) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*FEATURES, "is_fraud"])
        for row, label in zip(x, y, strict=True):
            writer.writerow([f"{v:.3f}" for v in row] + [int(label)])


def main() -> None:
    x, y = make_data()
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.4, random_state=SEED, stratify=y)
    write_csv(HERE / "fraud-train.csv", x_tr, y_tr)
    write_csv(HERE / "fraud-test.csv", x_te, y_te)
    # An unregularised forest, as fraud teams often ship: it memorises its training rows.
    model = RandomForestClassifier(n_estimators=25, random_state=SEED, n_jobs=1)
    model.fit(x_tr, y_tr)
    sio.dump(model, HERE / "fraud.skops", compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    print(
        f"train {len(y_tr)} rows, test {len(y_te)} rows, test accuracy {model.score(x_te, y_te):.3f}"
    )


if __name__ == "__main__":
    main()
