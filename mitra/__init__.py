"""What the action server and the Telegram bot must agree on: configuration, languages,
message catalogs. Imported by `actions/` and `bot/`, never by `nlu/` (Rasa's environment)."""
