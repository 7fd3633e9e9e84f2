"""The email channel: mailboxes, parsing, guards, threading, ingestion and IMAP polling."""
