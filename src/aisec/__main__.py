"""`python -m aisec ...` runs the CLI, like the `aisec` console script."""

from aisec.cli import main

main()
