"""Pure domain rules: money, identity checks, the working-day calendar, legal parameters and periods."""
