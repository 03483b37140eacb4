"""OCPP 1.6J adapter: translates 1.6 messages to and from the neutral charging core."""

from ocpp_server.node import ProtocolAdapter
from ocpp_server.v16.commands import COMMANDS
from ocpp_server.v16.handlers import ChargePoint16
from ocpp_server.v16.security import CERTIFICATE_RENEWAL
from ocpp_server.v16.translate import (
    PROTOCOL_VERSION,
    RESERVATION_ID_FIELD,
    local_list_payload,
    reservation_terms,
)

ADAPTER = ProtocolAdapter(
    subprotocol="ocpp1.6",
    version=PROTOCOL_VERSION,
    commands=COMMANDS,
    session=ChargePoint16,
    reservation_terms=reservation_terms,
    reservation_id_field=RESERVATION_ID_FIELD,
    certificate_renewal=CERTIFICATE_RENEWAL,
    local_list_payload=local_list_payload,
    parent_id_field="parentIdTag",
)

__all__ = ["ADAPTER", "ChargePoint16"]
