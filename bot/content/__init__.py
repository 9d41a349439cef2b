"""Checks on the content teachers write (scenario files), beyond the schema."""
