package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// CreateShadow creates shadow as an empty copy of table (LIKE ... INCLUDING
// ALL: defaults, identity, generated columns, constraints, indexes, comments,
// storage, statistics), gives it the table's settings LIKE does not copy
// (CarrySettingsSQL: storage parameters, replica identity, statistics
// targets, column options) and applies the user's ALTER clauses to it, so
// the server itself validates the ALTER and defines the shadow, with what
// the ALTER sets winning over the table's settings as on the table itself.
// Names of the table's indexes and index-backed constraints in the ALTER are
// rewritten to the shadow's (see shadowNames). created reports whether the
// shadow exists afterwards (and must be dropped when the run ends without a
// cut-over).
//
// If the ALTER fails, renames the shadow or moves it to another schema, the
// shadow is dropped again and the error says so.
func CreateShadow(ctx context.Context, db *sql.DB, schema, table, shadow, alter string) (created bool, err error) {
	stmt := fmt.Sprintf("CREATE TABLE %s (LIKE %s INCLUDING ALL)",
		pgx.Identifier{schema, shadow}.Sanitize(), pgx.Identifier{schema, table}.Sanitize())
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		return false, fmt.Errorf("create shadow table %s.%s: %w", schema, shadow, err)
	}
	oid, err := catalogRelOID(ctx, db, schema, shadow)
	if err != nil {
		return shadowDropped(ctx, db, schema, shadow, fmt.Errorf("read the new shadow table: %w", err))
	}
	alter, err = shadowPrepare(ctx, db, schema, table, shadow, oid, alter)
	if err != nil {
		return shadowDropped(ctx, db, schema, shadow, err)
	}
	if err := shadowAlter(ctx, db, schema, shadow, alter); err != nil {
		return shadowDropped(ctx, db, schema, shadow,
			fmt.Errorf("the ALTER is not valid for %s.%s: %w (nothing was changed)", schema, table, err))
	}
	return shadowCheckPlace(ctx, db, oid, schema, table, shadow)
}

// shadowPrepare gives the fresh shadow the table's settings and returns the
// ALTER with the table's index and constraint names mapped to the shadow's.
func shadowPrepare(ctx context.Context, db *sql.DB, schema, table, shadow string, oid uint32, alter string) (string, error) {
	orig, err := catalogRelOID(ctx, db, schema, table)
	if err != nil {
		return "", err
	}
	names, err := readShadowNames(ctx, db, table, shadow, orig, oid)
	if err != nil {
		return "", fmt.Errorf("pair the indexes of %s.%s and its shadow: %w", schema, table, err)
	}
	settings, err := CarrySettingsSQL(ctx, db, schema, table, shadow, nil)
	if err != nil {
		return "", err
	}
	for _, s := range settings {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return "", fmt.Errorf("give the shadow the settings of %s.%s: %s: %w", schema, table, s, err)
		}
	}
	return names.rewrite(alter), nil
}

// shadowAlter runs ALTER TABLE schema.shadow <alter> as one statement only
// (execOne).
func shadowAlter(ctx context.Context, db *sql.DB, schema, shadow, alter string) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return execOne(ctx, conn, "ALTER TABLE "+pgx.Identifier{schema, shadow}.Sanitize()+" "+alter)
}

// shadowCheckPlace refuses an ALTER that renamed the shadow (RENAME TO) or
// moved it (SET SCHEMA): the cut-over swaps schema.shadow in under the
// table's name, and the name is how every later step finds the shadow. The
// shadow is looked up by the OID read right after CREATE, wherever it is now.
// An ALTER that gave it another owner (OWNER TO) is refused too: the
// cut-over gives the shadow the table's owner (CarryOverSQL), which would
// undo it without a word.
func shadowCheckPlace(ctx context.Context, db *sql.DB, oid uint32, schema, table, shadow string) (bool, error) {
	var nowSchema, nowName string
	var sameOwner bool
	err := db.QueryRowContext(ctx, `SELECT n.nspname::text, c.relname::text,
		c.relowner = (SELECT t.relowner FROM pg_class t JOIN pg_namespace tn ON tn.oid = t.relnamespace
			WHERE tn.nspname = $2 AND t.relname = $3)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`, oid, schema, table).Scan(&nowSchema, &nowName, &sameOwner)
	if err != nil {
		return true, fmt.Errorf("look up shadow table %s.%s after the ALTER: %w", schema, shadow, err)
	}
	switch {
	case nowSchema != schema:
		return shadowDropped(ctx, db, nowSchema, nowName, fmt.Errorf(
			"the ALTER moves the table to schema %s: hotswap changes a table in place; move it separately with ALTER TABLE ... SET SCHEMA (nothing was changed)", nowSchema))
	case nowName != shadow:
		return shadowDropped(ctx, db, nowSchema, nowName, errors.New(
			"the ALTER renames the table: hotswap changes a table in place; rename it separately with ALTER TABLE ... RENAME TO (nothing was changed)"))
	case !sameOwner:
		return shadowDropped(ctx, db, nowSchema, nowName, errors.New(
			"the ALTER changes the table's owner: hotswap keeps the owner; change it separately with ALTER TABLE ... OWNER TO (nothing was changed)"))
	}
	return true, nil
}

// shadowDropped drops the shadow (under the name it has now) and returns
// cause; created stays true only if the drop failed too.
func shadowDropped(ctx context.Context, db *sql.DB, schema, name string, cause error) (bool, error) {
	if err := DropTable(context.WithoutCancel(ctx), db, schema, name); err != nil {
		return true, errors.Join(cause, fmt.Errorf("%w; drop it by hand", err))
	}
	return false, cause
}
