"""Reference data: the authority register, ONS population, GDP deflators."""
