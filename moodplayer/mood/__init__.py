"""Mood as a point in valence-arousal-dominance space."""
