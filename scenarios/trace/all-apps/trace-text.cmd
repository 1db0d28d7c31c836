# The text form: a "== app" heading, then the table `trace --all` prints.
privlink trace --all-apps --estate estate
