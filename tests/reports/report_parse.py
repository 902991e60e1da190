"""A small html.parser-based reader for the report tests: elements, attributes, SVG contents."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    svg_label: str | None  # aria-label of the enclosing <svg>, if any


@dataclass
class Parsed:
    elements: list[Element] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def by_id(self, value: str) -> list[Element]:
        return [e for e in self.elements if e.attrs.get("id") == value]

    def tags(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]

    def in_svg(self, label: str, tag: str, cls: str | None = None) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.svg_label == label
            and e.tag == tag
            and (cls is None or cls in (e.attrs.get("class") or "").split())
        ]

    @property
    def all_text(self) -> str:
        return "".join(self.text)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = Parsed()
        self.svg: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        amap = dict(attrs)
        if tag == "svg":
            self.svg.append(amap.get("aria-label"))
        self.out.elements.append(Element(tag, amap, self.svg[-1] if self.svg else None))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.elements.append(Element(tag, dict(attrs), self.svg[-1] if self.svg else None))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self.svg:
            self.svg.pop()

    def handle_data(self, data: str) -> None:
        self.out.text.append(data)


def parse(html: str) -> Parsed:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.out
