# An estate file holding `[]`: nothing to analyse, so a gate pointed at the wrong file must not pass.
# It is an input error (exit 2, the reason on stderr), as an estate directory without .json files is.
privlink check --estate estate
