"""The citizen map: hubs and public chargers with what is free there now, near the visitor."""
