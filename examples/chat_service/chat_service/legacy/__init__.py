"""Pre-migration code that strict typing has not reached yet (see mypy.ini)."""
