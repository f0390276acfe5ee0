package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/hotswap/hotswap/schema"
	"github.com/jackc/pgx/v5"
)

// shadowNames maps the names an ALTER may use for the table's indexes and
// index-backed constraints to the shadow's counterparts. LIKE ... INCLUDING
// ALL names the shadow's indexes after the shadow (t_pkey becomes
// _t_new_pkey): index names are unique per schema, so while both tables
// exist the shadow's cannot have the table's names, and the constraint an
// index backs has the index's name. Check constraints keep their names
// (constraint names are per table) and need no mapping. The cut-over renames
// the shadow's indexes, and with them their constraints, back to the
// table's names.
type shadowNames struct {
	indexes     map[string]string // any index of the table
	constraints map[string]string // primary key, unique and exclusion constraints
}

// readShadowNames pairs the indexes of orig and shadow right after LIKE,
// when every index has its counterpart of the same shape.
func readShadowNames(ctx context.Context, db Querier, orig, shadow uint32) (shadowNames, error) {
	pairs, err := pairIndexes(ctx, db, orig, shadow)
	if err != nil {
		return shadowNames{}, err
	}
	n := shadowNames{indexes: map[string]string{}, constraints: map[string]string{}}
	for _, p := range pairs {
		n.indexes[p.orig] = p.shadow
	}
	backed, err := catalogStrings(ctx, db, `SELECT conname::text FROM pg_constraint
		WHERE conrelid = $1 AND contype IN ('p', 'u', 'x') AND conindid <> 0`, orig)
	if err != nil {
		return shadowNames{}, fmt.Errorf("read constraints: %w", err)
	}
	for _, name := range backed {
		if to, ok := n.indexes[name]; ok {
			n.constraints[name] = to
		}
	}
	return n, nil
}

// rewrite returns the ALTER clauses with each name of an existing index or
// index-backed constraint replaced by the shadow's counterpart, where the
// clause refers to an existing object: DROP CONSTRAINT [IF EXISTS] name,
// ALTER CONSTRAINT name, VALIDATE CONSTRAINT name, USING INDEX name (REPLICA
// IDENTITY, ADD ... USING INDEX) and CLUSTER ON name. New names (ADD
// CONSTRAINT name) and everything in strings, quoted text and comments stay
// as written. RENAME CONSTRAINT is not rewritten: the cut-over would give the
// renamed index its old name back.
func (n shadowNames) rewrite(alter string) string {
	toks := schema.PGTokens(alter)
	var b strings.Builder
	last := 0
	for i := range toks {
		names := n.referenceAt(toks, i)
		if names == nil || toks[i].Is("if") && i+1 < len(toks) && toks[i+1].Is("exists") {
			continue
		}
		name, ok := toks[i].Ident()
		if !ok {
			continue
		}
		to, ok := names[name]
		if !ok {
			continue
		}
		b.WriteString(alter[last:toks[i].Start])
		b.WriteString(pgx.Identifier{to}.Sanitize())
		last = toks[i].End
	}
	b.WriteString(alter[last:])
	return b.String()
}

// referenceAt says which map names toks[i] when it is the name of an
// existing object in one of rewrite's clauses; nil when it is none.
func (n shadowNames) referenceAt(toks []schema.PGToken, i int) map[string]string {
	word := func(k int, w string) bool { return k >= 0 && toks[k].Is(w) }
	switch {
	case word(i-1, "index") && word(i-2, "using"), word(i-1, "on") && word(i-2, "cluster"):
		return n.indexes
	case word(i-1, "constraint") && (word(i-2, "drop") || word(i-2, "alter") || word(i-2, "validate")),
		word(i-1, "exists") && word(i-2, "if") && word(i-3, "constraint") && word(i-4, "drop"):
		return n.constraints
	}
	return nil
}
