"""The operator's web console: server-rendered pages over chargers, sessions, fleet and billing."""
