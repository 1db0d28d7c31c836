# Every dependency of app1 is allowed: nothing for the safety net to report.
privlink check --estate estate --select NET200
