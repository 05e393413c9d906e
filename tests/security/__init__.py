"""The trust boundary: signed actors, the API under fuzzing, body limits, courts as tenants, data sealed at
rest, the login throttle, CSV formulas."""
