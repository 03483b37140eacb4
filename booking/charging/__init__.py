"""Charging for citizens: public charger pages, remote start with one's card, live sessions."""
