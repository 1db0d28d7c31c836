# The change adds a VNet whose address space 10.99.0.0/33 is not a prefix: no app uses it, so no dependency
# changes, but the input is no longer read as written. A load diagnostic added fails the gate (exit 1).
privlink diff --before ../../seed-estate --after ../../seed-estate sandbox.json
