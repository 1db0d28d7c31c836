# As text.cmd, as GitHub workflow annotations: each on its file, with the JSON pointer in the message.
privlink check --estate estate --format github
