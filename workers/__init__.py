"""Worker processes: poll the task queue and run every registered workflow and activity."""
