"""The public contact form: submissions without a token, rate limits, CORS, its settings."""
