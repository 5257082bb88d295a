"""Background jobs: the Huey instance and outbox delivery (queue), and each domain's queued and periodic tasks. Tasks are thin: they open an app context and call a service."""
