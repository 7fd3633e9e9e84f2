"""The provider's standing in DataCite's RSP programme: requirements board, steps, renewal, badge."""
