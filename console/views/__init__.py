"""The console's pages, one module per area, all on the one console blueprint."""
