"""Who says what: how claims spread over speakers, perspectives, stances and outlets."""
