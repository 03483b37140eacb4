"""Words the pages show for stored codes (states, kinds, roles, invoice lines), per language.

The database keeps codes; pages translate them here (pybabel extracts the N_ marks). A code
without a label is shown as it is, underscores as spaces.
"""

from __future__ import annotations

from mobility.errors import N_, Message

LABELS: dict[str, dict[str, Message]] = {
    "booking": {
        "confirmed": N_("confirmed"),
        "active": N_("under way"),
        "completed": N_("completed"),
        "cancelled": N_("cancelled"),
        "no_show": N_("no show"),
    },
    "kind": {"ebike": N_("e-bike"), "ecar": N_("e-car")},
    "Kind": {"ebike": N_("E-bike"), "ecar": N_("E-car")},
    "kinds": {"ebike": N_("E-bikes"), "ecar": N_("E-cars")},
    "vehicle": {
        "available": N_("available"),
        "in_use": N_("in use"),
        "maintenance": N_("in maintenance"),
        "offline": N_("offline"),
        "retired": N_("retired"),
    },
    "visibility": {
        "public": N_("public"),
        "fleet_only": N_("fleet only"),
        "shared_hours": N_("shared hours"),
    },
    "role": {
        "member": N_("member"),
        "admin": N_("admin"),
        "operator": N_("operator"),
        "citizen": N_("citizen"),
    },
    "Role": {"member": N_("Member"), "admin": N_("Admin")},
    "membership": {"active": N_("active"), "removed": N_("removed")},
    "card": {
        "Accepted": N_("Accepted"),
        "Blocked": N_("Blocked"),
        "Expired": N_("Expired"),
        "Invalid": N_("Invalid"),
    },
    "invoice": {
        "open": N_("open"),
        "paid": N_("paid"),
        "consolidated": N_("on the monthly invoice"),
        "payment_failed": N_("payment failed"),
        "void": N_("void"),
        "uncollectible": N_("uncollectible"),
    },
    "document": {"credit_note": N_("Credit note")},
    # Invoice lines by price component: the stored description is the English document's.
    "component": {
        "FLAT": N_("Unlock / start fee"),
        "TIME": N_("Time"),
        "PARKING_TIME": N_("Idle / parking time"),
        "ENERGY": N_("Energy"),
        "DISTANCE": N_("Distance"),
        "CANCELLATION": N_("Late cancellation fee"),
        "CAP": N_("Daily cap"),
    },
    "unit": {"session": N_("session"), "fee": N_("fee")},
}


def label(kind: str, code: str | None) -> Message | str:
    """The label of a stored code (a Message to translate), else the code made readable."""
    if code is None:
        return ""
    found = LABELS.get(kind, {}).get(str(code))
    return found if found is not None else str(code).replace("_", " ")
