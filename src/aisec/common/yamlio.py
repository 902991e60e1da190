"""Safe YAML loading that remembers where every value came from.

Users edit system descriptions, assessments and overlays by hand; an error must point at
file:line and the field. PyYAML's SafeLoader builds plain Python data (never objects), and we keep
a map from the path of each node (('components', 'models', 0, 'hosting')) to its line number so a
pydantic validation error can be translated into a precise location.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, get_args

import yaml
from pydantic import BaseModel, ValidationError

from aisec.common.errors import InputError
from aisec.common.inputs import read_input_text

MAX_YAML_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64  # far beyond any real system description; keeps recursion bounded
# Nodes reached again through aliases (`*name`, `<<: *name`). Each alias use copies its subtree,
# so nested aliases grow exponentially ("billion laughs"); honest files stay far below this.
MAX_ALIAS_EXPANSION = 100_000

PathKey = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass
class LocatedYaml:
    """Parsed YAML data plus the 1-based line of every mapping key / sequence item."""

    data: Any
    source: str
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """Line of the deepest known ancestor of `path` (pydantic locs may point below it)."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)


_BaseSafeLoader = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)  # libyaml when available: 5-10x faster


class _UniqueKeySafeLoader(_BaseSafeLoader):  # type: ignore[misc,valid-type]
    """Safe loader (plain data only); duplicate keys are refused by `_walk`."""


_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


@dataclass
class _Budget:
    """Counts nodes walked a second time (through an alias) to bound alias expansion."""

    seen: set[int] = field(default_factory=set)
    expanded: int = 0

    def visit(self, node: yaml.Node) -> None:
        if id(node) not in self.seen:
            self.seen.add(id(node))
            return
        self.expanded += 1
        if self.expanded > MAX_ALIAS_EXPANSION:
            raise InputError(
                f"aliases expand to more than {MAX_ALIAS_EXPANSION} extra nodes "
                "(nested anchors/aliases, a 'billion laughs' pattern?)",
                line=node.start_mark.line + 1,
                hint="write the data out instead of nesting aliases",
            )


def _walk(
    node: yaml.Node,
    path: PathKey,
    lines: dict[PathKey, int],
    loader: yaml.SafeLoader,
    budget: _Budget,
) -> Any:
    budget.visit(node)
    if len(path) > MAX_DEPTH:
        raise InputError(f"nesting deeper than {MAX_DEPTH} levels", line=node.start_mark.line + 1)
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
        raise InputError(
            f"YAML tag {node.tag!r} is not allowed (plain data only)", line=node.start_mark.line + 1
        )
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(loader, key_node)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise InputError(
                    "mapping keys must be plain scalars",
                    line=key_node.start_mark.line + 1,
                )
            if key in result:
                raise InputError(
                    f"duplicate key {key!r}",
                    line=key_node.start_mark.line + 1,
                    hint="each key may appear once in a mapping",
                )
            child = (*path, str(key))
            result[key] = _walk(value_node, child, lines, loader, budget)
            lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, (*path, i), lines, loader, budget) for i, item in enumerate(node.value)]
    return _scalar(loader, node)


def _scalar(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """Construct a scalar; values the resolver cannot convert (2026-13-45 as a date, `!!int abc`)
    are input errors at their line, not crashes."""
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        raise
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        raise InputError(
            f"cannot read value {node.value!r}: {exc}", line=node.start_mark.line + 1
        ) from None
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(
                "text contains a lone surrogate, not valid Unicode", line=node.start_mark.line + 1
            ) from None
    return value


def load_yaml_text(text: str, source: str) -> LocatedYaml:
    """Parse one YAML document safely; errors carry the source name and line."""
    if len(text.encode("utf-8", "ignore")) > MAX_YAML_BYTES:
        raise InputError(f"file larger than {MAX_YAML_BYTES} bytes", source=source)
    loader = _UniqueKeySafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LocatedYaml(data=None, source=source)
        lines: dict[PathKey, int] = {}
        try:
            data = _walk(node, (), lines, loader, _Budget())
        except InputError as exc:
            raise InputError(
                exc.message.split(": ", 1)[-1], source=source, line=exc.line, hint=exc.hint
            ) from None
        return LocatedYaml(data=data, source=source, lines=lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"YAML syntax error: {problem}", source=source, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", source=source) from None
    finally:
        loader.dispose()


def load_yaml_file(path: Path) -> LocatedYaml:
    """Read one YAML file: regular files only (never a device or FIFO), at most MAX_YAML_BYTES."""
    text = read_input_text(path, max_bytes=MAX_YAML_BYTES, what="file")
    return load_yaml_text(text, str(path))


def format_loc(loc: Iterable[str | int]) -> str:
    """('components', 'models', 0, 'hosting') -> 'components.models[0].hosting'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The pydantic model that owns the last key of `loc` (walking lists, dicts and optionals)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or not (
            isinstance(current, type) and issubclass(current, BaseModel)
        ):
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _unwrap(info.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """list[X] / dict[K, X] / X | None -> X, so the walk can go on into X."""
    for arg in reversed(get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        inner = _unwrap(arg)
        if inner is not None:
            return inner
    return annotation if isinstance(annotation, type) else None


def _unknown_field_message(model: type[BaseModel] | None, loc: Sequence[str | int]) -> str:
    owner = _model_at(model, loc[:-1]) if model is not None else None
    if owner is None:
        return "unknown field (check its spelling)"
    allowed = ", ".join(sorted(f.alias or name for name, f in owner.model_fields.items()))
    return f"unknown field; expected one of: {allowed}"


def validation_error_to_input_error(
    exc: ValidationError,
    located: LocatedYaml,
    *,
    prefix: PathKey = (),
    model: type[BaseModel] | None = None,
) -> InputError:
    """Turn pydantic errors into one InputError: the first names file, line, field and what was
    expected; up to `MAX_LISTED` more follow on their own lines, so one run shows most fixes."""
    errors = exc.errors(include_url=False)
    described = [_describe(e, located, prefix, model) for e in errors]
    (line, field, msg), rest = described[0], described[1 : 1 + MAX_LISTED]
    extra = "".join(f"\n  also {located.source}:{ln}: {fld}: {m}" for ln, fld, m in rest)
    if len(errors) > 1 + MAX_LISTED:
        extra += f"\n  ... and {len(errors) - 1 - MAX_LISTED} more problem(s)"
    return InputError(msg + extra, source=located.source, line=line, field=field)


MAX_LISTED = 9


def _describe(
    error: Any, located: LocatedYaml, prefix: PathKey, model: type[BaseModel] | None
) -> tuple[int | None, str | None, str]:
    raw = [p for p in error["loc"] if isinstance(p, str | int)]
    loc = (*prefix, *raw)
    msg = error["msg"]
    if error.get("type") == "extra_forbidden":
        msg = _unknown_field_message(model, raw)
    elif error.get("type") == "missing":
        msg = "required field is missing"
    return located.line_of(loc), format_loc(loc) or None, msg


def validate_located(model: type[M], located: LocatedYaml, *, prefix: PathKey = ()) -> M:
    """Validate YAML data against a strict pydantic model, raising a located InputError."""
    data = located.data
    for part in prefix:
        data = data[part]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error_to_input_error(exc, located, prefix=prefix, model=model) from None
