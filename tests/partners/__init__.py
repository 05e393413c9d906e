"""The partners' side: the sandbox adapter, the simulators and their idempotent answers, the auction simulator."""
