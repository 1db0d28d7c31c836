# An app the estate does not hold: an input error (exit 2) naming the app and the apps there are (on stderr).
privlink env --from app-missing
