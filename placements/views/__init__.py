"""The coach's and case manager's workspace, one module per screen."""
