"""Computer-telephony integration: the call events a PBX reports (webhook payloads, Asterisk
Manager Interface events), parsed and validated into `CallEvent`s. Imports nothing of the app."""
