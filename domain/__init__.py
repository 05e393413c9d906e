"""Domain concepts, one module each: money, parties, partners, legal time, measures, errors.

Everything here is pure and deterministic, so workflow code may import it.
"""
