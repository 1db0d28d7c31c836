# The app's integration subnet is written 10.20.0.0/33 and the endpoint subnet lies outside the VNet's
# 10.20.0.0/16: Azure refuses both, so neither subnet is modelled as written. check reports both load
# diagnostics with their file and JSON pointer, and they fail the gate as errors do (exit 1).
privlink check --estate estate
