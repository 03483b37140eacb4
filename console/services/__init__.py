"""The console's use cases and reads (one transaction each; no web code)."""
