"""``python -m carbon`` runs the CLI."""

from carbon.cli import main

main()
