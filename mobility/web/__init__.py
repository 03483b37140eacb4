"""The web shell every face shares: app factory, sign-in, error translation, pagination."""
