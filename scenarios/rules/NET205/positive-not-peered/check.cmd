# No peering either way: the fix creates both sides.
privlink check --estate estate --select NET205
