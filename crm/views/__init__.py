"""The relationship manager's workspace, one module per screen."""
