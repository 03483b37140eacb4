"""Booking service (Flask): citizens and fleets find, book and ride shared vehicles."""
