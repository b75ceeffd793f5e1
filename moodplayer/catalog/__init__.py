"""moodplayer.catalog"""
