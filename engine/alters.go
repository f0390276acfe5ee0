package engine

import (
	"strings"

	"github.com/hotswap/hotswap/job"
)

// MaxSetTables bounds the tables of one run (alter --statement): each has
// its own change stream (a binlog connection; on PostgreSQL a replication
// slot and a WAL sender, of max_replication_slots' default 10), copy and
// cut-over lock connection.
const MaxSetTables = 8

// TableAlter is one ALTER TABLE of a run: the table and its clauses.
type TableAlter struct {
	Schema, Table, Clauses string
}

// ParseAlters reads the statements of `alter --statement` as kind's own
// client would split them: every one must be an ALTER TABLE of a distinct
// table, all in the one database (MySQL: the connection's, qualified or
// not) or schema (PostgreSQL: defaultSchema when unqualified), at most
// MaxSetTables. Anything else is refused before a connection is opened.
func ParseAlters(kind, sql, defaultSchema string) ([]TableAlter, error) {
	d, err := lookup(kind)
	if err != nil {
		return nil, err
	}
	stmts, err := d.Split(sql)
	if err != nil {
		return nil, job.Refuse("--statement: %v", err)
	}
	var out []TableAlter
	seen := map[string]bool{}
	for _, s := range stmts {
		schema, table, clauses, ok := d.ParseAlterTable(s.SQL)
		if !ok {
			return nil, job.Refuse("--statement, line %d: %q is not an ALTER TABLE this run can do online (one ALTER TABLE <table> <clauses> per table; run other statements directly)", s.Line, firstWords(s.SQL))
		}
		if schema == "" {
			schema = defaultSchema
		}
		if schema != defaultSchema {
			return nil, job.Refuse("--statement: %s.%s is not in %s: every table of one run is in the connection's database (MySQL) or one schema (PostgreSQL); run one per database or schema", schema, table, defaultSchema)
		}
		if seen[table] {
			return nil, job.Refuse("--statement: %s is altered twice: give one ALTER TABLE %s with its clauses joined by commas", table, table)
		}
		seen[table] = true
		out = append(out, TableAlter{Schema: schema, Table: table, Clauses: clauses})
	}
	switch {
	case len(out) == 0:
		return nil, job.Refuse("--statement holds no statement")
	case len(out) > MaxSetTables:
		return nil, job.Refuse("--statement alters %d tables: at most %d in one run (each has its own change stream and lock connection)", len(out), MaxSetTables)
	}
	return out, nil
}

// firstWords is the start of a statement, for a message.
func firstWords(stmt string) string {
	f := strings.Fields(stmt)
	if len(f) > 6 {
		f = append(f[:6], "...")
	}
	return strings.Join(f, " ")
}
