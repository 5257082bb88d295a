"""Satisfaction surveys: scheduling and sending after a solve (sending), answers, the outbound message, settings and templates, and the chat widget's rating."""
