"""The code's shape held in place: every module imports alone, layers point down with no circle, every
scenario keeps the registry's contract, committed histories replay, the web's layers."""
