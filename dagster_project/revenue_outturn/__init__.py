"""Revenue outturn: raw RS assets partitioned by financial year."""
