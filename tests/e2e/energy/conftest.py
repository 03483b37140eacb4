"""Smart charging end to end reuses the OCPP server, the charger clients and the booking app."""

from tests.e2e.booking.conftest import app, client, ids, mailer  # noqa: F401 - fixtures
from tests.e2e.ocpp_server.conftest import server  # noqa: F401 - fixture
