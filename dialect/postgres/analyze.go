package postgres

// AnalyzeSQL refreshes a table's statistics (the shadow's, once copied):
// a table never analyzed has none, so until autovacuum came by, the
// application's first plans on the new table, and hotswap migrate's choice
// of method, would see no rows. ANALYZE takes a lock that lets writes go on.
func AnalyzeSQL(schema, table string) string {
	return "ANALYZE " + QuoteIdent(schema) + "." + QuoteIdent(table)
}
