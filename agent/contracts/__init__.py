"""The contracts between the call loop and the brain: CallState, the action stream and the Brain protocol."""
