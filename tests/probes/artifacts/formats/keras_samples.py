"""Keras configurations (v3 config.json and legacy model_config) built as Python dicts."""

from __future__ import annotations

import base64
import marshal
from typing import Any


def obj(class_name: str, config: Any, module: str | None = "keras.layers") -> dict[str, Any]:
    return {"module": module, "class_name": class_name, "config": config, "registered_name": None}


def fn(module: str, name: str) -> dict[str, Any]:
    return {"module": module, "class_name": "function", "config": name, "registered_name": name}


def bytecode(source: str) -> str:
    """Base64 of marshalled bytecode, as Keras stores lambdas (compiled here, never run)."""
    code = compile(source, "<lambda>", "eval").co_consts[0]
    return base64.b64encode(marshal.dumps(code)).decode()


def model(*layers: dict[str, Any], compile_config: Any = None) -> dict[str, Any]:
    tree = obj("Sequential", {"name": "seq", "trainable": True, "layers": list(layers)}, "keras")
    tree["build_config"] = {"input_shape": [None, 4]}
    if compile_config is not None:
        tree["compile_config"] = compile_config
    return tree


DENSE = obj(
    "Dense",
    {
        "name": "dense",
        "units": 2,
        "activation": "relu",
        "kernel_initializer": obj("GlorotUniform", {"seed": None}, "keras.initializers"),
        "kernel_regularizer": None,
    },
)
BENIGN = model(
    obj("InputLayer", {"batch_shape": [None, 4], "dtype": "float32"}),
    DENSE,
    obj("Activation", {"activation": fn("keras.activations", "softmax")}),
    compile_config={
        "optimizer": obj("Adam", {"learning_rate": 0.001}, "keras.optimizers"),
        "loss": obj("MeanSquaredError", {"reduction": "sum_over_batch_size"}, "keras.losses"),
    },
)
HUB = model(obj("GemmaBackbone", {"vocabulary_size": 10}, "keras_hub.src.models.gemma"))


def lambda3(source: str) -> dict[str, Any]:
    code = {"code": bytecode(source), "defaults": None, "closure": None}
    return obj("Lambda", {"name": "l", "function": {"class_name": "__lambda__", "config": code}})


def legacy(*layers: dict[str, Any]) -> dict[str, Any]:
    """A tf.keras 2 style model_config (no module keys, Lambda as a list)."""
    return {
        "class_name": "Sequential",
        "config": {"name": "seq", "layers": list(layers)},
        "keras_version": "2.15.0",
        "backend": "tensorflow",
    }


def legacy_lambda(source: str) -> dict[str, Any]:
    return {
        "class_name": "Lambda",
        "config": {
            "name": "lambda",
            "function": [bytecode(source), None, None],
            "function_type": "lambda",
            "module": "__main__",
        },
    }


LEGACY_DENSE = {"class_name": "Dense", "config": {"name": "d", "units": 1, "activation": "relu"}}
EVIL_SOURCE = "lambda x: __import__('os').system('touch /tmp/aisec-canary') or x"
PLAIN_SOURCE = "lambda x: x * 2.0 + 1.0"
