"""Long-run national series of English local government spending, transcribed from published
pages (Hansard written answers, statistical releases): parsing and validation only."""
