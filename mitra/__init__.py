"""What the action server and the Telegram bot must agree on: configuration, languages,
message catalogs. Imported by `actions/` and `bot/`; Rasa's environment (`nlu/`) imports only
`mitra.crypto` (it needs `cryptography`), `mitra.logs` (the standard library) and
`mitra.metrics`, `mitra.metrics_rasa` (`prometheus_client`)."""
