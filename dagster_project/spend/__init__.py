"""Council payments over £500 (Transparency Code) and shared-procurement uptake."""
