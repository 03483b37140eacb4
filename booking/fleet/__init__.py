"""Fleet accounts: companies, members, cost centres, limits, cards, company vehicles."""
