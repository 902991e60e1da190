"""Write the small benign TensorFlow files the scanner's false-positive tests use.

TensorFlow is not a dependency of aisec (not even in CI), so these files are made once with real
TensorFlow in a throwaway environment and committed:

    python3 -m venv /tmp/tf-venv && /tmp/tf-venv/bin/pip install tensorflow-cpu==2.21.0
    /tmp/tf-venv/bin/python tools/gen_tf_fixtures.py

It rewrites `tests/probes/artifacts/fixtures/tf/` with, for each model, only the protobufs the
scanner reads (`saved_model.pb`, `fingerprint.pb`; the variables are not needed):

- `keras-export-*`: a Keras 3 functional model (Embedding, Conv1D, LSTM, BatchNormalization,
  Dropout, Dense, a StringLookup with an in-memory vocabulary) exported with `model.export()`;
- `module-vocab-asset-*`: a `tf.Module` with a lookup table initialised from a vocabulary file
  that `tf.saved_model.save` copies into the SavedModel's assets (the TF-Transform pattern);
- `v1-saver-graph.pb`: a TF1-style GraphDef with a `tf.compat.v1.train.Saver` (save/SaveV2,
  save/RestoreV2 under the saver's scope), written with `tf.io.write_graph`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests/probes/artifacts/fixtures/tf"


def _keep(saved: Path, prefix: str) -> None:
    for name in ("saved_model.pb", "fingerprint.pb"):
        shutil.copyfile(saved / name, OUT / f"{prefix}-{name}")


def keras_export(work: Path) -> None:
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    words = keras.Input(shape=(6,), dtype="string", name="words")
    ids = keras.layers.StringLookup(vocabulary=["a", "b", "c", "d"])(words)
    x = keras.layers.Embedding(8, 4)(ids)
    x = keras.layers.Conv1D(4, 3, activation="relu")(x)
    x = keras.layers.LSTM(4)(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Dropout(0.1)(x)
    out = keras.layers.Dense(2, activation="softmax")(x)
    model = keras.Model(words, out)
    model(tf.constant([["a", "b", "c", "d", "e", "a"]]))
    model.export(str(work / "keras"), format="tf_saved_model")
    _keep(work / "keras", "keras-export")


def module_with_vocab_asset(work: Path) -> None:
    import tensorflow as tf

    vocab = work / "vocab.txt"
    vocab.write_text("red\ngreen\nblue\n")

    class Lookup(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            init = tf.lookup.TextFileInitializer(
                str(vocab),
                tf.string,
                tf.lookup.TextFileIndex.WHOLE_LINE,
                tf.int64,
                tf.lookup.TextFileIndex.LINE_NUMBER,
            )
            self.table = tf.lookup.StaticHashTable(init, default_value=-1)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def __call__(self, words: tf.Tensor) -> tf.Tensor:
            return self.table.lookup(words)

    tf.saved_model.save(Lookup(), str(work / "module"))
    _keep(work / "module", "module-vocab-asset")


def v1_saver_graph(work: Path) -> None:
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        w = tf.compat.v1.get_variable("w", [3, 2])
        tf.nn.softmax(tf.matmul(x, w), name="y")
        tf.compat.v1.train.Saver()
    tf.io.write_graph(graph.as_graph_def(), str(work), "graph.pb", as_text=False)
    shutil.copyfile(work / "graph.pb", OUT / "v1-saver-graph.pb")


def main() -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        keras_export(work)
        module_with_vocab_asset(work)
        v1_saver_graph(work)
    for path in sorted(OUT.iterdir()):
        print(f"{path.name}: {path.stat().st_size} bytes", file=sys.stderr)
    print(f"made with tensorflow {tf.__version__}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
