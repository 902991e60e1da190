"""Make the fixture builders (recipes, benign, pickles, archives) importable by plain name, as
bench/scan.py imports them too."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
