"""Shared core of the e-mobility platform: settings, database, schema, bus, scheduler, CLI."""

__version__ = "0.1.0"
