"""Billing: tariffs, pricing, invoices and payments (offline provider by default, Stripe)."""
