# --all-apps prints, for every app of the estate in id order, what `trace --all` prints for it: here the one app of
# all-mixed, with the same three dependencies and verdicts (written app by app as they are traced), and exit code 1
# because one is not allowed.
privlink trace --all-apps --estate estate --format json
