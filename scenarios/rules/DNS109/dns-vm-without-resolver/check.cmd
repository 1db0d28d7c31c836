# The same DNS VM and no DNS private resolver in the estate: the warning has no fix and says what the server must do.
privlink check --estate estate --select DNS109
