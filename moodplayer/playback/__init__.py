"""moodplayer.playback"""
