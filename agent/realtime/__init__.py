"""Speech-to-speech engines that run the dialogue themselves (Azure Voice Live) and the tools they call."""
