"""The coalition's real structure (seed) and believable demo data (demo)."""
