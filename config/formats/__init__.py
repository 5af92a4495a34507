"""Date and time formats per language where Django's own do not read as our users expect (FORMAT_MODULE_PATH)."""
