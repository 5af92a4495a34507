"""REST API of outreach: info packs."""
