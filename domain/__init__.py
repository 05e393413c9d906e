"""Domain concepts, one module each, citing the law: money (fen), parties and personal data, partners, legal
time and the calendar, measures and control rules, the case's filing, term, ledger and closing, distribution,
auctions, the dishonest list, tasks, errors; legal parameters and catalogues as JSON beside them.

Everything here is pure and deterministic, so workflow code may import it.
"""
