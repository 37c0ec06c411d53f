"""Suggested claims: the offline quote and speaker detector (`detect`, pure) and the rows it fills."""
