package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hotswap/hotswap/checksum"
	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/schema"
)

// ChecksumTarget prepares a standalone checksum of the table against shadow
// ("": the run's shadow name) in the same schema: both must be tables, the
// shadow's primary key the table's (same column names); the columns
// compared are those of the same name (a generated shadow column is left
// out, as in a run). It holds the run lock: a live run's shadow is behind
// its table, and a run must not start under the check.
func (e *Engine) ChecksumTarget(ctx context.Context, shadow string) (*engine.ChecksumTarget, error) {
	c := e.spec
	if shadow == "" {
		shadow = schema.DerivedName(c.Table, "new", pgMaxNameLen)
	}
	table, shadowName := c.Schema+"."+c.Table, c.Schema+"."+shadow
	if shadow == c.Table {
		return nil, job.Refuse("--shadow %s names the table itself: name the table to compare %s with", shadow, table)
	}
	if err := e.takeRunLock(ctx); err != nil {
		return nil, err
	}
	src, err := e.checksumTable(ctx, c.Table, fmt.Sprintf("table %s does not exist: check --table (schema.table) and --database", table))
	if err != nil {
		return nil, err
	}
	dst, err := e.checksumTable(ctx, shadow, fmt.Sprintf("shadow table %s does not exist, so there is nothing to compare %s with: "+
		"name the table to compare it with --shadow (by default, the shadow a hotswap run creates, %s)", shadowName, table,
		c.Schema+"."+schema.DerivedName(c.Table, "new", pgMaxNameLen)))
	if err != nil {
		return nil, err
	}
	pairs := pairByName(src, dst)
	if err := pgCommonKey(src, dst, pairs); err != nil {
		return nil, err
	}
	srcKey, dstKey, err := dialect.ShadowKey(src, dst, pairs)
	if err != nil { // a key type or collation that orders keys differently
		return nil, job.Refuse("cannot compare %s with %s by key: %v", table, shadowName, err)
	}
	rows := &dialect.Rows{DB: e.db, Schema: c.Schema, Source: c.Table, Shadow: shadow, Pairs: pairs,
		KeyColumns: srcKey, DstKeyColumns: dstKey, SrcTypes: src.Types(), DstTypes: dst.Types()}
	t := &engine.ChecksumTarget{Shadow: shadowName, KeyColumns: srcKey}
	for _, p := range pairs {
		t.Columns = append(t.Columns, p.Source)
	}
	t.LeftOut = pgLeftOut(src, dst, pairs)
	// an exported snapshot is one moment for both tables: no lock needed
	t.Open = func(ctx context.Context) ([]checksum.Snapshot, func(), error) {
		conns, err := dialect.SharedSnapshots(ctx, e.db, c.Threads)
		if err != nil {
			return nil, nil, engine.NoRetry{Err: err} // no lock was waited for: trying again would not help
		}
		snaps := make([]checksum.Snapshot, len(conns))
		for i, conn := range conns {
			snaps[i] = dialect.Snapshot{Rows: rows, Conn: conn}
		}
		return snaps, func() { dialect.EndSnapshots(conns) }, nil
	}
	return t, nil
}

// checksumTable loads a table of the run's schema, refusing a missing one
// (with the message given) or a relation that is not a table.
func (e *Engine) checksumTable(ctx context.Context, name, missing string) (*dialect.Table, error) {
	c := e.spec
	t, err := dialect.LoadTable(ctx, e.db, c.Schema, name)
	switch {
	case err != nil:
		return nil, &job.Refused{Err: err}
	case t == nil:
		return nil, job.Refuse("%s", missing)
	case t.Kind != "r" && t.Kind != "p":
		return nil, job.Refuse("%s.%s is not a table (relkind %q): the checksum compares tables", c.Schema, name, t.Kind)
	}
	return t, nil
}

// pairByName pairs every shadow column that is not generated with the
// source column of the same name.
func pairByName(src, dst *dialect.Table) []schema.ColumnPair {
	var pairs []schema.ColumnPair
	for _, dc := range dst.Columns {
		if !dc.Generated && pgHasColumn(src, dc.Name) {
			pairs = append(pairs, schema.ColumnPair{Source: dc.Name, Target: dc.Name})
		}
	}
	return pairs
}

func pgHasColumn(t *dialect.Table, name string) bool {
	return slices.ContainsFunc(t.Columns, func(c dialect.Column) bool { return c.Name == name })
}

// pgCommonKey refuses tables the checksum cannot match rows of: the
// table's primary key columns must be compared, and be the shadow's
// primary key too.
func pgCommonKey(src, dst *dialect.Table, pairs []schema.ColumnPair) error {
	table, shadow := src.Schema+"."+src.Name, dst.Schema+"."+dst.Name
	if len(src.Key) == 0 {
		return engine.NoCommonKey(table, shadow, table+" has no primary key", "add one to both tables")
	}
	const fix = "add the key to the shadow, or name another table with --shadow"
	var missing []string
	for _, k := range src.Key {
		if !slices.ContainsFunc(pairs, func(p schema.ColumnPair) bool { return p.Source == k }) {
			missing = append(missing, k)
		}
	}
	key := strings.Join(src.Key, ", ")
	switch {
	case len(missing) > 0:
		return engine.NoCommonKey(table, shadow, fmt.Sprintf("the primary key of %s is (%s) and %s lacks %s", table, key, shadow, strings.Join(missing, ", ")), fix)
	case len(dst.Key) == 0:
		return engine.NoCommonKey(table, shadow, fmt.Sprintf("the primary key of %s is (%s) and %s has no primary key", table, key, shadow), fix)
	case !slices.Equal(src.Key, dst.Key):
		return engine.NoCommonKey(table, shadow, fmt.Sprintf("the primary key of %s is (%s) and that of %s (%s)", table, key, shadow, strings.Join(dst.Key, ", ")), fix)
	}
	return nil
}

// pgLeftOut lists the columns of either table that are not compared.
func pgLeftOut(src, dst *dialect.Table, pairs []schema.ColumnPair) []string {
	paired := func(name string) bool {
		return slices.ContainsFunc(pairs, func(p schema.ColumnPair) bool { return p.Source == name })
	}
	var out []string
	for _, sc := range src.Columns {
		switch {
		case paired(sc.Name):
		case pgHasColumn(dst, sc.Name):
			out = append(out, fmt.Sprintf("%s (generated in %s)", sc.Name, dst.Name))
		default:
			out = append(out, fmt.Sprintf("%s (only in %s)", sc.Name, src.Name))
		}
	}
	for _, dc := range dst.Columns {
		if !pgHasColumn(src, dc.Name) {
			out = append(out, fmt.Sprintf("%s (only in %s)", dc.Name, dst.Name))
		}
	}
	return out
}
