package mysql

// AnalyzeSQL refreshes a table's statistics (the shadow's, once copied):
// the new table then has the row estimates and index cardinalities of its
// real contents from its first query on, instead of those of the empty
// table it was created as until InnoDB's background recount (the
// application's plans, and hotswap migrate's choice of method, read them).
// NO_WRITE_TO_BINLOG: replicas recount on their own, and hotswap's own
// binlog stream sees no statement about the shadow.
func AnalyzeSQL(database, table string) string {
	return "ANALYZE NO_WRITE_TO_BINLOG TABLE " + Quote(database) + "." + Quote(table)
}
