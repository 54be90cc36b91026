"""switchboard: a voice front door for operations teams (the hosted-agent container)."""
