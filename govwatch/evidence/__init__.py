"""Evidence (存证): the pages new and reopened issues were found on, kept with them, and
their screenshots (截图取证). See docs/evidence.md."""
