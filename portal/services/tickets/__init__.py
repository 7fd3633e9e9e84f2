"""The helpdesk: tickets about members' DOI registration, their lifecycle, messages, queues and SLAs."""
