"""The DataCite staff channel: the designated contact, troubleshooting requests and the service profile."""
