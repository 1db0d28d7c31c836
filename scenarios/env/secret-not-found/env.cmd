# The reference names openai-api-key; the vault holds openai-key only: SecretNotFound (§7.3).
privlink env --from app-flask-privlink --estate estate
