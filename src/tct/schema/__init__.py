"""schema stage."""
