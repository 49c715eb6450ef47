"""Subcommands of the `reliability` CLI; each module has register(subparsers)."""
