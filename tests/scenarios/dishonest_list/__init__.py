"""The dishonest_list scenario's tests: its workflow on the real stack, its rules and its pages in a
real browser, together."""
