"""One call's life: the session hub (seq, replay, resume, take-over), the conversation loop, call limits."""
