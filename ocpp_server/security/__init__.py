"""OCPP security, version-neutral: security profiles, the charger CA, certificates, events."""
