"""``python -m spareplan`` runs the command line."""

from spareplan.cli.app import main

main()
