"""A hostile chat-completions server on 127.0.0.1, written on raw sockets.

`behaviour(n, body)` decides, per request number, what the server does: answer well, answer
with a malformed JSON shape, drip the headers or the body one byte at a time, or stall. The
server never ends a drip by itself; only the client hanging up (or `stop()`) ends it.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Act:
    kind: str  # "json" | "raw" | "drip-body" | "drip-headers" | "stall"
    payload: Any = None
    delay_s: float = 0.0  # before answering (json / raw)
    step_s: float = 0.2  # between dripped bytes


Behaviour = Callable[[int, dict[str, Any]], Act]


def good(text: str) -> Act:
    return Act("json", {"choices": [{"message": {"role": "assistant", "content": text}}]})


def _read_request(conn: socket.socket) -> dict[str, Any]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return {}
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        rest += chunk
    try:
        body = json.loads(rest[:length] or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _respond(conn: socket.socket, act: Act, stopping: threading.Event) -> None:
    if act.kind in ("json", "raw"):
        time.sleep(act.delay_s)
        raw = act.payload if act.kind == "raw" else json.dumps(act.payload).encode()
        head = (
            f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(raw)}\r\n"
            "connection: close\r\n\r\n"
        ).encode()
        conn.sendall(head + raw)
        return
    if act.kind == "drip-body":
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )
        drip = b'{"choices": [{"message": {"content": "' + b"a" * 10_000
        for byte in drip:
            if stopping.is_set():
                return
            conn.sendall(b"1\r\n" + bytes([byte]) + b"\r\n")
            time.sleep(act.step_s)
        return
    if act.kind == "drip-headers":
        for byte in b"HTTP/1.1 200 OK\r\nx-slow: " + b"z" * 10_000:
            if stopping.is_set():
                return
            conn.sendall(bytes([byte]))
            time.sleep(act.step_s)
        return
    stopping.wait(60)  # stall: accept, read, never answer


@contextmanager
def hostile_server(behaviour: Behaviour) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Yields (base URL ending in /v1, bodies received)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.1)
    stopping = threading.Event()
    received: list[dict[str, Any]] = []
    lock = threading.Lock()

    def handle(conn: socket.socket) -> None:
        with conn:
            try:
                body = _read_request(conn)
                with lock:
                    received.append(body)
                    number = len(received)
                _respond(conn, behaviour(number, body), stopping)
            except OSError:
                return  # the client hung up: exactly what a deadline does

    def serve() -> None:
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1", received
    finally:
        stopping.set()
        thread.join(2)
        listener.close()
