package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hotswap/hotswap/schema"
	"github.com/jackc/pgx/v5"
)

// usingProbeView is the temporary view CheckUsing compiles an expression
// into, in a transaction it rolls back.
const usingProbeView = "hotswap_using_probe"

// usingVolatileQuery lists the volatile functions the probe view calls. The
// view's stored query tree (pg_rewrite.ev_action) names every function it
// calls by OID: directly (:funcid, an aggregate's :aggfnoid, a window
// function's :winfnoid) or through an operator (:opfuncid, and :opno for the
// operator's function). pg_depend would not do: it records no dependency on
// the server's built-in functions, random() and nextval() among them.
const usingVolatileQuery = `SELECT DISTINCT p.oid::regprocedure::text FROM pg_rewrite r
	CROSS JOIN LATERAL regexp_matches(r.ev_action::text, ':(funcid|opfuncid|aggfnoid|winfnoid|opno) (\d+)', 'g') m
	JOIN pg_proc p ON p.oid = CASE WHEN m[1] = 'opno'
		THEN (SELECT o.oprcode::oid FROM pg_operator o WHERE o.oid = m[2]::oid) ELSE m[2]::oid END
	WHERE r.ev_class = 'pg_temp.` + usingProbeView + `'::regclass AND p.provolatile = 'v' ORDER BY 1`

// usingSessionWords are what makes a non-volatile expression differ between
// the user's own ALTER and hotswap's copy, resync and checksum, which run at
// other moments and as another role: the transaction's clock (stable
// functions, and the SQL keywords the server deparses as such) and the
// session's user.
var usingSessionWords = []string{
	"current_date", "current_time", "current_timestamp", "localtime", "localtimestamp",
	"current_user", "session_user", "current_role", "user",
}

// usingClockFunctions are the stable functions that read the transaction's
// or the statement's clock, named only when called (a column may be "now").
var usingClockFunctions = []string{"now", "transaction_timestamp", "statement_timestamp"}

// CheckUsing makes sure each ALTER COLUMN ... TYPE ... USING expression can
// be applied row by row by the copy and the resync and checked by the
// checksum with the result the server's own ALTER would give: it must be an
// expression over schema.table's row that calls no volatile function
// (random(), nextval(), clock_timestamp(), ...), nor reads the clock or the
// session's user. The server judges it: each expression is compiled into a
// temporary view over the table, in a transaction rolled back at once, and
// the view's dependencies name the functions it calls. Nothing is changed.
func CheckUsing(ctx context.Context, db *sql.DB, schemaName, table string, usings []schema.PGTypeUsing) error {
	if len(usings) == 0 {
		return nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, u := range usings {
		if err := checkUsingOne(ctx, conn, schemaName, table, u); err != nil {
			return err
		}
	}
	return nil
}

func checkUsingOne(ctx context.Context, conn *sql.Conn, schemaName, table string, u schema.PGTypeUsing) (err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("check the USING expression of column %s: %w", u.Column, err)
	}
	defer func() { err = errors.Join(err, tx.Rollback()) }()
	view := "CREATE TEMPORARY VIEW " + usingProbeView + " AS SELECT (" + u.Expr + "\n) AS v FROM " +
		pgx.Identifier{schemaName, table}.Sanitize()
	if _, err := tx.ExecContext(ctx, view); err != nil {
		return fmt.Errorf("the USING expression of column %s is not an expression over the row of %s.%s: %w", u.Column, schemaName, table, err)
	}
	volatile, err := catalogStrings(ctx, tx, usingVolatileQuery)
	if err != nil {
		return fmt.Errorf("read the functions of the USING expression of column %s: %w", u.Column, err)
	}
	if len(volatile) > 0 {
		return fmt.Errorf("the USING expression of column %s calls volatile functions (%s): each row would get another value in hotswap's copy than in the server's own ALTER, and no check could confirm the copy; use a deterministic expression, or run this change with a plain ALTER TABLE",
			u.Column, strings.Join(volatile, ", "))
	}
	var def string
	if err := tx.QueryRowContext(ctx, "SELECT pg_get_viewdef('pg_temp."+usingProbeView+"'::regclass)").Scan(&def); err != nil {
		return fmt.Errorf("read back the USING expression of column %s: %w", u.Column, err)
	}
	toks := schema.PGTokens(def)
	for i, t := range toks {
		word := strings.ToLower(t.Text)
		called := i+1 < len(toks) && toks[i+1].Text == "("
		if t.Kind == schema.PGWord && (slices.Contains(usingSessionWords, word) || called && slices.Contains(usingClockFunctions, word)) {
			return fmt.Errorf("the USING expression of column %s reads %s, which differs between the server's own ALTER and hotswap's copy (another moment, another role); use a constant, or run this change with a plain ALTER TABLE",
				u.Column, strings.ToUpper(t.Text))
		}
	}
	return nil
}

// UsingExprs maps each shadow column a USING converts to its expression,
// refusing a USING on a row key column (the copy and the stream would place
// the row under another key than the source's) or on a column the shadow
// does not take from the source (not checked with pairs nil: the preflight
// checks the key before the shadow exists; PostgreSQL renames a column only
// in an ALTER of its own, so the ALTER names the table's column).
func UsingExprs(usings []schema.PGTypeUsing, pairs []schema.ColumnPair, dstKey []string) (map[string]string, error) {
	if len(usings) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, u := range usings {
		if slices.Contains(dstKey, u.Column) {
			return nil, fmt.Errorf("the ALTER converts row key column %s with USING: hotswap follows rows by the key's values, which the expression would change; run this change with a plain ALTER TABLE", u.Column)
		}
		if pairs != nil && !slices.ContainsFunc(pairs, func(p schema.ColumnPair) bool { return p.Target == u.Column }) {
			return nil, fmt.Errorf("the ALTER converts column %s with USING, but the new table does not take that column from the old one", u.Column)
		}
		out[u.Column] = u.Expr
	}
	return out, nil
}
