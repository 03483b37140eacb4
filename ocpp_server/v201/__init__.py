"""OCPP 2.0.1 adapter: translates 2.0.1 messages to and from the neutral charging core."""

from ocpp_server.node import ProtocolAdapter
from ocpp_server.v201.commands import COMMANDS
from ocpp_server.v201.handlers import ChargePoint201
from ocpp_server.v201.local_list import local_list_payload
from ocpp_server.v201.security import CERTIFICATE_RENEWAL
from ocpp_server.v201.translate import PROTOCOL_VERSION, RESERVATION_ID_FIELD, reservation_terms

ADAPTER = ProtocolAdapter(
    subprotocol="ocpp2.0.1",
    version=PROTOCOL_VERSION,
    commands=COMMANDS,
    session=ChargePoint201,
    reservation_terms=reservation_terms,
    reservation_id_field=RESERVATION_ID_FIELD,
    certificate_renewal=CERTIFICATE_RENEWAL,
    local_list_payload=local_list_payload,
)

__all__ = ["ADAPTER", "ChargePoint201"]
