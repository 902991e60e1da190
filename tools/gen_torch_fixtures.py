"""Write the small benign PyTorch files the scanner's false-positive tests use.

torch is not a CI dependency, so these files are made once with real torch and committed:
`pip install torch==2.13.0 && python tools/gen_torch_fixtures.py` rewrites
`tests/probes/artifacts/fixtures/torch/` (each file a few kB; nothing in them is executable
beyond what torch.save / torch.jit.save itself writes).
"""

from __future__ import annotations

import argparse
import io
import pathlib
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parents[1] / "tests/probes/artifacts/fixtures/torch"


class Gate(torch.nn.Module):
    """A module with control flow, so torch.jit.script emits real TorchScript code."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = torch.nn.Linear(4, 3)
        self.norm = torch.nn.LayerNorm(3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.relu(self.lin(x))
        if bool(y.sum() > 0):
            return self.norm(y).softmax(-1)
        return torch.cat([y, y], 0)


def small() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))


def save(obj: object, legacy: bool = False) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=not legacy)
    return buf.getvalue()


def jit(module: torch.jit.ScriptModule) -> bytes:
    buf = io.BytesIO()
    torch.jit.save(module, buf)
    return buf.getvalue()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    dtypes = [
        t
        for t in vars(torch).values()
        if isinstance(t, torch.dtype) and not t.is_complex and t not in (torch.bits8,)
    ]
    plain = {}
    for t in sorted(set(dtypes), key=str):
        try:
            tensor = torch.zeros(2, dtype=t)
            save(tensor)  # sub-byte and other dtypes torch.save itself cannot write
        except (RuntimeError, TypeError, KeyError):
            continue
        plain[str(t)] = tensor
    quantized = {
        "per_tensor": torch.quantize_per_tensor(torch.rand(4), 0.1, 10, torch.quint8),
        "per_channel": torch.quantize_per_channel(
            torch.rand(2, 3), torch.tensor([0.1, 0.2]), torch.tensor([0, 1]), 0, torch.qint8
        ),
        "int32": torch.quantize_per_tensor(torch.rand(3), 0.1, 0, torch.qint32),
    }
    checkpoint = {
        "args": argparse.Namespace(lr=0.1, out=pathlib.Path("runs/exp1"), seed=0),
        "data_dir": pathlib.PurePosixPath("data/train"),
        "epoch": 3,
        "model": small().state_dict(),
        "optimizer": torch.optim.AdamW(small().parameters()).state_dict(),
    }
    files = {
        "state-dict.pt": save(small().state_dict()),
        "state-dict-legacy.pt": save(small().state_dict(), legacy=True),
        "whole-model.pt": save(small()),
        "all-dtypes.pt": save(plain),
        "quantized.pt": save(quantized),
        "checkpoint-namespace-pathlib.pt": save(checkpoint),
        "torchscript-scripted.pt": jit(torch.jit.script(Gate())),
        "torchscript-traced.pt": jit(torch.jit.trace(small(), torch.rand(2, 4))),
    }
    for name, data in files.items():
        (OUT / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
