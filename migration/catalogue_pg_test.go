package migration_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/migration"
	"github.com/jackc/pgx/v5"
)

// pgCatalogue is a case's two databases on the package's PostgreSQL; both
// tables are owned by the hotswap role.
type pgCatalogue struct {
	t      *testing.T
	e      *pgEnv
	ref    *sql.DB
	refDB  string
	c      catalogueCase
	cols   string // t's writable columns, quoted, in order
	update string // a column an UPDATE may set to itself
}

func openPGCatalogue(t *testing.T, c catalogueCase) catalogueTarget {
	e := newPGEnv(t)
	srv := testdb.PostgresServer(t)
	name, _ := srv.NewDatabase(t)
	ref, err := sql.Open("pgx", srv.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ref.Close() })
	return &pgCatalogue{t: t, e: e, ref: ref, refDB: name, c: c}
}

func (p *pgCatalogue) execCase(stmts ...string) { p.e.exec(stmts...) }

func (p *pgCatalogue) execRef(stmts ...string) {
	p.t.Helper()
	for _, s := range stmts {
		if _, err := p.ref.Exec(s); err != nil {
			p.t.Fatalf("reference: %s: %v", s, err)
		}
	}
}

func (p *pgCatalogue) config(alter string) migration.Config { return p.e.config("t", alter) }

func (p *pgCatalogue) makeSeed() {
	rows, err := p.e.app.Query(`SELECT attname, attidentity FROM pg_attribute
		WHERE attrelid = 't'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`)
	if err != nil {
		p.t.Fatal(err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var name, identity string
		if err := rows.Scan(&name, &identity); err != nil {
			p.t.Fatal(err)
		}
		q := pgx.Identifier{name}.Sanitize()
		cols = append(cols, q)
		if identity == "" && p.update == "" {
			p.update = q
		}
	}
	p.cols = strings.Join(cols, ", ")
	p.e.exec("CREATE TABLE catalogue_seed AS SELECT " + p.cols + " FROM t")
	p.setDatabaseTimeZone()
}

// setDatabaseTimeZone gives both databases the case's TimeZone, the one a
// new session there (the user's own ALTER) gets; the pools then open a new
// session for each statement.
func (p *pgCatalogue) setDatabaseTimeZone() {
	if p.c.timeZone == "" {
		return
	}
	for _, db := range []string{p.e.db, p.refDB} {
		stmt := "ALTER DATABASE " + pgx.Identifier{db}.Sanitize() + " SET timezone = '" + strings.ReplaceAll(p.c.timeZone, "'", "''") + "'"
		if _, err := p.e.admin.Exec(stmt); err != nil {
			p.t.Fatalf("%s: %v", stmt, err)
		}
	}
	for _, db := range []*sql.DB{p.e.app, p.ref} {
		db.SetMaxIdleConns(0)
	}
}

func (p *pgCatalogue) churn(ctx context.Context) error {
	const pick = "ctid = ANY(ARRAY(SELECT ctid FROM t ORDER BY random() LIMIT %d))"
	stmts := []string{"DELETE FROM t WHERE " + fmt.Sprintf(pick, 10)}
	if p.update != "" {
		stmts = append(stmts, "UPDATE t SET "+p.update+" = "+p.update+" WHERE "+fmt.Sprintf(pick, 20))
	}
	for _, q := range stmts {
		if _, err := p.e.app.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return p.restore(ctx)
}

func (p *pgCatalogue) restore(ctx context.Context) error {
	_, err := p.e.app.ExecContext(ctx, "INSERT INTO t ("+p.cols+") OVERRIDING SYSTEM VALUE SELECT "+p.cols+
		" FROM catalogue_seed ON CONFLICT DO NOTHING")
	return err
}

func (p *pgCatalogue) serverAlter(alter string) error {
	_, err := p.ref.Exec("ALTER TABLE t " + alter)
	return err
}

// pgDefinitionQueries describe t: columns (type, nullability, default,
// identity, generation, statistics target, n_distinct, collation, storage,
// compression), constraints and indexes by name, replica identity,
// persistence, user storage parameters and comment. Options the server
// keeps for itself (pg_*) are left out.
var pgDefinitionQueries = []string{
	`SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
		|| coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '') || ' identity=' || a.attidentity::text::text
		|| ' generated=' || a.attgenerated::text || ' stat=' || a.attstattarget::text
		|| ' opts=' || coalesce(array_to_string(ARRAY(SELECT o FROM unnest(a.attoptions) o WHERE o NOT LIKE 'pg\_%' ORDER BY o), ','), '')
		|| ' coll=' || coalesce(co.collname, '') || ' storage=' || a.attstorage::text || ' compression=' || a.attcompression::text
	FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		LEFT JOIN pg_collation co ON co.oid = a.attcollation
	WHERE a.attrelid = 't'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
	`SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
	WHERE conrelid = 't'::regclass ORDER BY conname`,
	`SELECT 'index ' || c.relname || ' ' || pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisclustered THEN ' CLUSTERED' ELSE '' END
	FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 't'::regclass ORDER BY c.relname`,
	`SELECT 'table replident=' || c.relreplident::text || ' persistence=' || c.relpersistence::text
		|| ' identity_index=' || coalesce((SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
			WHERE i.indrelid = c.oid AND i.indisreplident), '')
		|| ' options=' || coalesce(array_to_string(ARRAY(SELECT o FROM unnest(c.reloptions) o WHERE o NOT LIKE 'pg\_%' ORDER BY o), ','), '')
		|| ' comment=' || coalesce(obj_description(c.oid, 'pg_class'), '')
	FROM pg_class c WHERE c.oid = 't'::regclass`,
}

func (p *pgCatalogue) definition(ref bool) string { return pgParityDefinition(p.t, p.db(ref)) }

func (p *pgCatalogue) rows(ref bool) []string {
	return scanRowsAsText(p.t, p.db(ref), "SELECT t::text FROM t")
}

func (p *pgCatalogue) db(ref bool) *sql.DB {
	if ref {
		return p.ref
	}
	return p.e.app
}

func (p *pgCatalogue) tables() string {
	return strings.Join(testdb.Strings(p.t, p.e.app, `SELECT relname FROM pg_class
		WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') ORDER BY relname`), ",")
}
