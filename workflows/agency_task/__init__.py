"""The agency task (协助事项): the unit of work every scenario gives an agency — a child workflow
claimed, completed or rejected by the agency, reassigned, extended or cancelled by the judge, turning
yellow and red on durable timers. Scenarios assign one through ``workflows.foundation.tasks``."""
