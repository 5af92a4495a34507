"""One module per report section; each has `build(scope) -> Section` and `rows(scope, table, row, column)`."""
