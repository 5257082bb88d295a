"""Web chat channel: visitors of a customer's site writing through the embedded widget."""
