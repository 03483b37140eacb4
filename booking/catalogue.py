"""Messages of the shared core and billing that citizen pages show, in booking's catalogue.

pybabel extracts booking and console only; these sentences are written in mobility and billing
(N_-marked there) and repeated here so that the citizen site's catalogue carries them. A test
(tests/unit/booking/test_catalogues.py) fails when one is missing.
"""

from __future__ import annotations

from mobility.errors import N_

SHOWN_ON_PAGES = (
    # mobility/charge_outlook.py
    N_(
        "The charger at this hub cannot also charge this car for your trip without "
        "leaving other bookings short: choose another car or time."
    ),
    # mobility/charge_outlook.py
    N_(
        "This car is expected to have %(expected)s%% at pick-up and your trip needs"
        " %(needed)s%%: choose another car, a later start or a shorter trip."
    ),
    N_("Request not understood"),  # mobility/web/errors.py
    N_("Please log in"),  # mobility/web/errors.py
    N_("Payment or limit"),  # mobility/web/errors.py
    N_("Not allowed"),  # mobility/web/errors.py
    N_("Not found"),  # mobility/web/errors.py
    N_("Not possible here"),  # mobility/web/errors.py
    N_("Not possible right now"),  # mobility/web/errors.py
    N_("Too large"),  # mobility/web/errors.py
    N_("Check what you entered"),  # mobility/web/errors.py
    N_("Too many attempts"),  # mobility/web/errors.py
    N_("Something went wrong"),  # mobility/web/errors.py
    N_("A device did not accept"),  # mobility/web/errors.py
    N_("Temporarily unavailable"),  # mobility/web/errors.py
    N_("No answer in time"),  # mobility/web/errors.py
    # mobility/web/errors.py
    N_("The request was not understood. Go back, reload the page and try again."),
    N_("There is no page at this address."),  # mobility/web/errors.py
    N_("This address does not take that kind of request."),  # mobility/web/errors.py
    N_("What you sent is too large."),  # mobility/web/errors.py
    # mobility/web/errors.py
    N_("Too many attempts in a short time. Wait a minute and try again."),
    # mobility/web/errors.py
    N_(
        "The form's security token (CSRF) is missing or out of date: reload the page and try again."
    ),
    N_("The database is unavailable right now; try again in a moment."),  # mobility/web/errors.py
    N_("Redis, which this needs, is unavailable right now; try again in a moment."),
    N_("Something went wrong on our side."),  # mobility/web/errors.py
    N_("Back to the hubs"),  # mobility/web/templates/error.html
    N_("Payments are recorded offline here: no card is needed."),  # billing/facade.py
    N_("Start a card setup first."),  # billing/facade.py
    N_("This card setup has not succeeded."),  # billing/facade.py
    N_("The account changed meanwhile; start again."),  # billing/facade.py
    N_("No saved payment card: add a card in your profile first."),  # billing/gateway.py
)
