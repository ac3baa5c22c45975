"""Reading lead data (JSON Lines, CSV, Parquet, event tables) and writing results safely."""
