"""The CSV export of the filtered queue, streamed in keyset batches."""
