"""The customer portal: sign-in links, portal sessions, what a customer sees and does on their tickets."""
