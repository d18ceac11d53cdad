"""Run the heard command line as ``python -m heard``."""

from heard.cli import main

main()
