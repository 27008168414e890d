"""Revenue outturn (DCLG/MHCLG/DLUHC): the RS summary workbooks, parsed into the tidy contract."""
