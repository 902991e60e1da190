"""Writing a report to a device must never replace the device node with a plain file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from aisec.common.fileio import atomic_write_text


def test_fifo_target_is_written_in_place_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        atomic_write_text(fifo, "hello")
        assert os.read(reader, 100) == b"hello"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_dev_null_stays_a_character_device() -> None:
    atomic_write_text(Path(os.devnull), "discarded")
    assert stat.S_ISCHR(Path(os.devnull).stat().st_mode)


def test_regular_file_is_replaced_atomically(tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    target.write_text("old")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["r.txt"]
