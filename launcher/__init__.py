"""``make run``: the embedded stack under a supervisor that restarts what crashes (issue 15)."""
