"""`python -m ocpp_server`: run one OCPP node (same as `mobility ocpp`)."""

from mobility.cli import main

main(["ocpp"])
