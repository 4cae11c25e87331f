// Log ingest (issue 3) lives here.
