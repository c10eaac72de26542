"""Stages 1 and 2: content read from the repository and checked (models, YAML with
positions, stories, consent, privacy, partner news)."""
