"""Custom fields: definitions (`definitions`), values on tickets, customers and organizations
(`values`), and the report breakdown by a dropdown (`breakdown`)."""
