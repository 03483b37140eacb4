"""OCPP central system (CSMS): chargers connect over websockets (OCPP 1.6J, 2.0.1)."""
