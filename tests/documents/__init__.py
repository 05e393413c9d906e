"""The court's documents: rendering, sealing and verifying, and documents travelling with the acts."""
