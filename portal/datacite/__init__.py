"""The only code that speaks to DataCite: client, error classes, schema catalog, and the offline sandbox."""
