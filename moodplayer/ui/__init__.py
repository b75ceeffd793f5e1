"""moodplayer.ui"""
