"""Fleet tests run on the booking app and the OCPP server fixtures."""

from tests.e2e.booking.conftest import app, client, ids, mailer  # noqa: F401
from tests.e2e.ocpp_server.conftest import server  # noqa: F401
