"""Reproducible training of the models moodplayer ships."""
