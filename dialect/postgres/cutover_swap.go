package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SwapSQL returns, in order, the statements that put schema.shadow in the
// place of schema.table and keep the old table as schema.old:
//
//  1. identity sequences of the shadow set to the old ones' positions;
//  2. every index of the old table and its identity sequences renamed to
//     name_old (cut, with a hash of the name, where that would pass 63
//     bytes), freeing their names: index and sequence names are unique per
//     schema, not per table;
//  3. table -> old, shadow -> table;
//  4. the shadow's indexes (and with them the primary key, unique and
//     exclusion constraints they back) and identity sequences renamed to
//     the names of their counterparts; check constraints already have them,
//     LIKE copies their names;
//  5. serial sequences owned by the new table's columns.
//
// Run them in the cut-over transaction, with both tables locked, right after
// the catch-up: they read the catalogs as they are then. They need the shadow
// to have the table's owner (CarryOverSQL) for ALTER SEQUENCE ... OWNED BY.
func SwapSQL(ctx context.Context, db Querier, schema, table, shadow, old string) ([]string, error) {
	stmts, err := swapStatements(ctx, db, schema, table, shadow, old, false)
	if err != nil {
		return nil, fmt.Errorf("plan the swap of %s.%s and %s: %w", schema, table, shadow, err)
	}
	return stmts, nil
}

// SwapBackSQL is SwapSQL for a revert: schema.shadow is the old table an
// earlier SwapSQL kept, schema.table the one it put in place, and old the
// name that one takes now. The differences make the revert undo the names
// the first swap gave:
//
//   - the table's indexes and identity sequences are retired to name_rev,
//     not name_old: the old table's retired ones hold those names;
//   - identity columns are matched the other way round (the table's column
//     of attnum k is the old table's k-th live column, see MapColumns);
//   - the old table's indexes and identity sequences the ALTER left no
//     counterpart of take back the names they had before the first swap
//     (name_old -> name), where that name is free; there are no added
//     indexes to rename.
func SwapBackSQL(ctx context.Context, db Querier, schema, table, shadow, old string) ([]string, error) {
	stmts, err := swapStatements(ctx, db, schema, table, shadow, old, true)
	if err != nil {
		return nil, fmt.Errorf("plan the swap back of %s.%s and %s: %w", schema, table, shadow, err)
	}
	return stmts, nil
}

func swapStatements(ctx context.Context, db Querier, schema, table, shadow, old string, back bool) ([]string, error) {
	orig, err := catalogRelOID(ctx, db, schema, table)
	if err != nil {
		return nil, err
	}
	shad, err := catalogRelOID(ctx, db, schema, shadow)
	if err != nil {
		return nil, err
	}
	origIndexes, err := catalogStrings(ctx, db, `SELECT c.relname::text FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1 ORDER BY 1`, orig)
	if err != nil {
		return nil, fmt.Errorf("read indexes: %w", err)
	}
	pairs, err := pairIndexes(ctx, db, orig, shad)
	if err != nil {
		return nil, err
	}
	seqs, err := planSequenceSwap(ctx, db, schema, table, orig, shad, back)
	if err != nil {
		return nil, err
	}
	retire := retiredName
	if back {
		retire = revertedName
	}
	stmts := append([]string(nil), seqs.sync...)
	for _, name := range origIndexes {
		stmts = append(stmts, swapRenameSQL("INDEX", schema, name, retire(name)))
	}
	stmts = append(stmts, seqs.retire...)
	stmts = append(stmts, swapRenameSQL("TABLE", schema, table, old), swapRenameSQL("TABLE", schema, shadow, table))
	for _, p := range pairs {
		stmts = append(stmts, swapRenameSQL("INDEX", schema, p.shadow, p.orig))
	}
	var renames []string
	if back {
		renames, err = unretiredRenames(ctx, db, schema, shad, origIndexes, pairs, seqs)
	} else {
		renames, err = addedIndexRenames(ctx, db, schema, table, shadow, shad, origIndexes, pairs)
	}
	if err != nil {
		return nil, err
	}
	stmts = append(stmts, renames...)
	stmts = append(stmts, seqs.take...)
	return append(stmts, seqs.own...), nil
}

// swapRenameSQL renames schema.name (kind TABLE or INDEX) to to.
func swapRenameSQL(kind, schema, name, to string) string {
	return "ALTER " + kind + " " + pgx.Identifier{schema, name}.Sanitize() + " RENAME TO " + pgx.Identifier{to}.Sanitize()
}
