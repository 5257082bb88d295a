"""Web form / API channel: a customer writes through our contact form or an integrator's API call."""
