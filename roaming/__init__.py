"""OCPI 2.2.1 roaming in the CPO role: partners (eMSPs) read our chargers and pay for sessions."""
