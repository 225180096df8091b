"""The Xero connector: OAuth2, the job queue and its worker, and the mapping to Xero."""
