"""The cross_region_seizure scenario's tests: its workflow on the real stack, its rules and its pages in a
real browser, together."""
