"""Plain, typed, Flask-free functions: ``verb_noun(session, *, ...)``. They commit their own unit of work."""
