package postgres

import (
	"context"
	"database/sql"
	"fmt"

	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/schema"
)

// revMap is the run's column map as the revert window needs it: old (the
// old schema) feeds table (the new schema) through pairs (Source: old's
// column), rows identified by oldKey in old and tableKey in table.
type revMap struct {
	old, table       *dialect.Table
	pairs            []schema.ColumnPair
	oldKey, tableKey []string
}

// forwardMap is the map the run derived when it made the shadow.
func (e *Engine) forwardMap() revMap {
	return revMap{old: e.src, table: e.dst, pairs: e.pairs, oldKey: e.srcKey, tableKey: e.dstKey}
}

// loadMap derives the map again from the tables after the cut-over, as
// PrepareShadow did from table and shadow: the table was made by LIKE from
// the old one, whose column attnums it kept (dialect.MapColumns).
func loadMap(ctx context.Context, db *sql.DB, schemaName, table, old string) (revMap, error) {
	var m revMap
	var err error
	if m.old, err = dialect.LoadTable(ctx, db, schemaName, old); err != nil || m.old == nil {
		return m, fmt.Errorf("revert window: read the old table %s.%s: %v", schemaName, old, orGone(err))
	}
	if m.table, err = dialect.LoadTable(ctx, db, schemaName, table); err != nil || m.table == nil {
		return m, fmt.Errorf("revert window: read the table %s.%s: %v", schemaName, table, orGone(err))
	}
	m.pairs = dialect.MapColumns(m.old, m.table)
	if m.oldKey, m.tableKey, err = dialect.ShadowKey(m.old, m.table, m.pairs); err != nil {
		return m, fmt.Errorf("revert window: %w", err)
	}
	return m, nil
}

func orGone(err error) any {
	if err == nil {
		return "it is gone"
	}
	return err
}

// kept are the old table's columns no column of the table feeds (the
// ALTER dropped them): a revert window keeps their values. Generated
// columns are the server's.
func (m revMap) kept() []string {
	fed := map[string]bool{}
	for _, p := range m.pairs {
		fed[p.Source] = true
	}
	var kept []string
	for _, c := range m.old.Columns {
		if !fed[c.Name] && !c.Generated {
			kept = append(kept, c.Name)
		}
	}
	return kept
}

// rows moves rows from source (new schema) into old (old schema): the map
// reversed, without the pairs into generated columns of the old table, and
// with no USING: the INSERT's assignment cast takes each value back to the
// old type, or fails.
func (m revMap) rows(db *sql.DB, schemaName, source, old string) *dialect.Rows {
	generated := map[string]bool{}
	for _, c := range m.old.Columns {
		generated[c.Name] = c.Generated
	}
	var pairs []schema.ColumnPair
	for _, p := range m.pairs {
		if !generated[p.Source] {
			pairs = append(pairs, schema.ColumnPair{Source: p.Target, Target: p.Source})
		}
	}
	return &dialect.Rows{DB: db, Schema: schemaName, Source: source, Shadow: old, Pairs: pairs,
		KeyColumns: m.tableKey, DstKeyColumns: m.oldKey, SrcTypes: m.table.Types(), DstTypes: m.old.Types(),
		Keep: m.kept()}
}
