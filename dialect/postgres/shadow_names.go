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
	table, shadow string
	indexes       map[string]string // any index of the table
	constraints   map[string]string // primary key, unique and exclusion constraints
}

// readShadowNames pairs the indexes of orig and shadow right after LIKE,
// when every index has its counterpart of the same shape.
func readShadowNames(ctx context.Context, db Querier, table, shadowName string, orig, shadow uint32) (shadowNames, error) {
	pairs, err := pairIndexes(ctx, db, orig, shadow)
	if err != nil {
		return shadowNames{}, err
	}
	n := shadowNames{table: table, shadow: shadowName, indexes: map[string]string{}, constraints: map[string]string{}}
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
// as written, but for ADD CONSTRAINT name PRIMARY KEY | UNIQUE | EXCLUDE
// reusing the name of one of the table's indexes ("DROP CONSTRAINT t_pkey,
// ADD CONSTRAINT t_pkey PRIMARY KEY (id, i)"): the name is taken in the
// schema until the cut-over, so the shadow's index gets the shadow-derived
// form of it ("_t_new_pkey"), which the cut-over renames to the table's form
// once the old index has given the name up (addedIndexRenames; a primary key
// takes the old one's name in any case). RENAME CONSTRAINT is not rewritten:
// the cut-over would give the renamed index its old name back. A column
// qualified with the table's name in a USING expression loses the qualifier
// (schema.PGUsingQualifiers).
func (n shadowNames) rewrite(alter string) string {
	toks := schema.PGTokens(alter)
	dropped := map[string]bool{}
	for i := range toks {
		if name, ok := toks[i].Ident(); ok && pgDropConstraintAt(toks, i) {
			dropped[name] = true
		}
	}
	unqualify := schema.PGUsingQualifiers(toks, n.table)
	var b strings.Builder
	last := 0
	for i := range toks {
		if unqualify[i] { // "USING length(t.v)": the shadow is not named t
			b.WriteString(alter[last:toks[i].Start])
			last = toks[i].End
			continue
		}
		to, ok := n.addedAt(toks, i, dropped)
		if !ok {
			to, ok = n.referencedAt(toks, i)
		}
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

// referencedAt is the shadow's name for toks[i] when it names an existing
// index or index-backed constraint of the table in one of rewrite's clauses.
func (n shadowNames) referencedAt(toks []schema.PGToken, i int) (string, bool) {
	names := n.referenceAt(toks, i)
	if names == nil {
		return "", false
	}
	name, ok := toks[i].Ident()
	if !ok {
		return "", false
	}
	to, ok := names[name]
	return to, ok
}

// addedAt is the shadow's name for toks[i] when it is the name of an
// index-backed constraint the ALTER adds and the table has an index of that
// name that the same ALTER drops: the shadow-derived form, when the name has
// the table's prefix. Without the drop the name stays, and the shadow's ALTER
// fails as the server's own would.
func (n shadowNames) addedAt(toks []schema.PGToken, i int, dropped map[string]bool) (string, bool) {
	if i < 2 || i+1 >= len(toks) || !toks[i-1].Is("constraint") || !toks[i-2].Is("add") ||
		!(toks[i+1].Is("primary") || toks[i+1].Is("unique") || toks[i+1].Is("exclude")) {
		return "", false
	}
	name, ok := toks[i].Ident()
	if _, taken := n.indexes[name]; !ok || !taken || !dropped[name] {
		return "", false
	}
	rest, ok := strings.CutPrefix(name, n.table+"_")
	if to := n.shadow + "_" + rest; ok && len(to) <= pgMaxNameBytes {
		return to, true
	}
	if toks[i+1].Is("primary") { // the cut-over names it after the old primary key anyway
		return n.indexes[name], true
	}
	return "", false
}

// pgDropConstraintAt says whether toks[i] is the name in DROP CONSTRAINT
// [IF EXISTS] name.
func pgDropConstraintAt(toks []schema.PGToken, i int) bool {
	word := func(k int, w string) bool { return k >= 0 && toks[k].Is(w) }
	if toks[i].Is("if") && i+1 < len(toks) && toks[i+1].Is("exists") {
		return false
	}
	return word(i-1, "constraint") && word(i-2, "drop") ||
		word(i-1, "exists") && word(i-2, "if") && word(i-3, "constraint") && word(i-4, "drop")
}

// referenceAt says which map names toks[i] when it is the name of an
// existing object in one of rewrite's clauses; nil when it is none.
func (n shadowNames) referenceAt(toks []schema.PGToken, i int) map[string]string {
	word := func(k int, w string) bool { return k >= 0 && toks[k].Is(w) }
	switch {
	case word(i-1, "index") && word(i-2, "using"), word(i-1, "on") && word(i-2, "cluster"):
		return n.indexes
	case pgDropConstraintAt(toks, i), word(i-1, "constraint") && (word(i-2, "alter") || word(i-2, "validate")):
		return n.constraints
	}
	return nil
}
