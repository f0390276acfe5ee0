package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
)

// unretiredRenames gives the old table's indexes and identity sequences that
// have no counterpart on the table (the ALTER dropped them) the names they
// had before the first swap retired them (retiredName: name -> name_old), in
// a revert (SwapBackSQL). A name that retiredName cut and hashed cannot be
// told back, and a name now taken by any relation but those this swap
// renames away stays as it is.
func unretiredRenames(ctx context.Context, db Querier, schema string, shad uint32,
	origIndexes []string, pairs []indexPair, seqs sequenceSwap) ([]string, error) {
	names, err := catalogStrings(ctx, db, `SELECT c.relname::text FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1 ORDER BY 1`, shad)
	if err != nil {
		return nil, fmt.Errorf("read the old table's indexes: %w", err)
	}
	paired := map[string]bool{}
	taken := map[string]bool{} // names this swap gives
	for _, p := range pairs {
		paired[p.shadow], taken[p.orig] = true, true
	}
	for _, n := range seqs.taken {
		taken[n] = true
	}
	freed := map[string]bool{} // names this swap renames away
	for _, n := range origIndexes {
		freed[n] = true
	}
	for _, n := range seqs.retired {
		freed[n] = true
	}
	var stmts []string
	unretire := func(kind, nsp, name string) error {
		to, ok := unretiredName(name)
		if !ok || taken[to] {
			return nil
		}
		var exists bool
		err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = $1 AND c.relname = $2)`, nsp, to).Scan(&exists)
		if err != nil {
			return fmt.Errorf("check the name %s: %w", to, err)
		}
		if exists && !(nsp == schema && freed[to]) {
			return nil
		}
		taken[to] = true
		stmts = append(stmts, "ALTER "+kind+" "+pgx.Identifier{nsp, name}.Sanitize()+" RENAME TO "+pgx.Identifier{to}.Sanitize())
		return nil
	}
	for _, name := range names {
		if !paired[name] {
			if err := unretire("INDEX", schema, name); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range seqs.unmatched {
		if err := unretire("SEQUENCE", s.schema, s.name); err != nil {
			return nil, err
		}
	}
	return stmts, nil
}

// unretiredName is the name retiredName made name from, when it can be
// told: not when retiredName cut the name and appended a hash of it (the
// base then ends in "_" and 8 hex digits, after at least 47 bytes of the
// name), though a name of that shape could also be an original one.
func unretiredName(name string) (string, bool) {
	base, ok := strings.CutSuffix(name, "_old")
	if !ok || base == "" || retiredName(base) != name || len(base) >= 47+9 && hashTail.MatchString(base) {
		return "", false
	}
	return base, true
}

// hashTail is the hash retiredName appends to a name it cut.
var hashTail = regexp.MustCompile(`_[0-9a-f]{8}$`)
