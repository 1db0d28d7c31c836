# As text.cmd, as GitHub workflow annotations: each on its file at the line its JSON pointer lands on.
privlink check --estate estate --format github
