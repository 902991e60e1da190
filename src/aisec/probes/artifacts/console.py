"""Terminal rendering of a scan: a Rich table of files with their verdicts and the findings
of every file that is not clean, and a summary line that never says "no issues" when anything
was skipped or failed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from aisec.probes.artifacts.result import FileVerdict, ScanResult
from aisec.probes.record import Verdict

STYLE = {
    FileVerdict.MALICIOUS: "bold red",
    FileVerdict.SUSPICIOUS: "yellow",
    FileVerdict.ERROR: "magenta",
    FileVerdict.NOT_SCANNED: "cyan",
    FileVerdict.CLEAN: "green",
}
MAX_ROWS_CLEAN = 200
OTHER_COLUMNS = 90  # verdict, size, sha256 prefix, a readable findings column and the borders


def display_path(path: str) -> str:
    """A path on one line: control characters (a newline in a hostile file name) escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in path)


def render(result: ScanResult, console: Console, *, show_clean: bool = True) -> None:
    table = Table(title="aisec scan", show_lines=False, expand=False)
    # On a terminal long paths fold; in logs and pipes each path stays whole on one line
    # (greppable, copyable) and the table grows past the 80-column default instead.
    piped = not console.is_terminal
    table.add_column("file", overflow="fold", no_wrap=piped)
    table.add_column("verdict")
    table.add_column("size", justify="right")
    table.add_column("sha256", overflow="fold")
    table.add_column("findings", overflow="fold")
    clean_rows = 0
    longest = 0
    for f in sorted(result.files, key=lambda r: (r.verdict.rank, r.path)):
        if f.verdict is FileVerdict.CLEAN:
            clean_rows += 1
            if not show_clean or clean_rows > MAX_ROWS_CLEAN:
                continue
        notes = [
            display_path(
                f"{x.rule_id}: {x.message}" + (f" [{x.location}]" if x.location != f.path else "")
            )
            for x in f.findings
            if x.verdict is not Verdict.PASS
        ]
        shown = display_path(f.path)
        longest = max(longest, len(shown))
        table.add_row(
            Text(shown),
            Text(f.verdict.value, style=STYLE[f.verdict]),
            f"{f.size:,}",
            (f.sha256 or "")[:16],
            Text("\n".join(notes[:8]) + (f"\n… {len(notes) - 8} more" if len(notes) > 8 else "")),
        )
    if piped and longest + OTHER_COLUMNS > console.width:
        table.width = longest + OTHER_COLUMNS
    console.print(table, crop=not piped)
    for x in result.integrity:
        if x.verdict is not Verdict.PASS:
            line = display_path(f"integrity: {x.location}: {x.message}")
            console.print(Text(line, style="red"))
    console.print(summary_line(result))


def summary_line(result: ScanResult) -> Text:
    return Text(result.summary(), style=STYLE[result.verdict])


@contextmanager
def progress(
    files: list[tuple[Path, int]], console: Console
) -> Iterator[Callable[[Path, int], None] | None]:
    """A byte-based progress bar for big or many files, only on a terminal (else None)."""
    total = sum(size for _, size in files)
    if not console.is_terminal or (len(files) <= 10 and total <= 256 << 20):
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task("scanning", total=total or 1)
    done = [0]

    def advance(path: Path, size: int) -> None:
        bar.update(task, completed=done[0], description=path.name[:40])
        done[0] += size

    with bar:
        yield advance
