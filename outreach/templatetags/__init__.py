"""Template tags of the outreach app."""
