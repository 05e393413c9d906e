"""The network at our edge (网络): requests to addresses partners give us, resolved once and pinned
(``outbound``), and loopback helpers for the launcher, tests and benchmarks (``localnet``)."""
