"""Evidence files in: item responses (CSV or Parquet), activity alignments (CSV), xAPI
statements (JSON lines). Each reader checks every row, then calls the evidence services."""
