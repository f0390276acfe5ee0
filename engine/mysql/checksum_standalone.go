package mysql

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hotswap/hotswap/checksum"
	dialect "github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/schema"
)

// ChecksumTarget prepares a standalone checksum of the table against shadow
// ("": the run's shadow name): both must be InnoDB base tables with a common
// key; the columns compared are those of the same name (a generated shadow
// column is left out, as in a run). It holds the run lock: a live run's
// shadow is behind its table, and a run must not start under the check.
func (e *Engine) ChecksumTarget(ctx context.Context, shadow string) (*engine.ChecksumTarget, error) {
	c := e.spec
	db, table := c.Conn.Database, c.Table
	if shadow == "" {
		shadow = schema.DerivedName(table, "new", dialect.MaxNameLen)
	}
	if strings.EqualFold(shadow, table) {
		return nil, job.Refuse("--shadow %s names the table itself: name the table to compare %s.%s with", shadow, db, table)
	}
	if err := e.takeRunLock(ctx); err != nil {
		return nil, err
	}
	if err := e.checkChecksumTable(ctx, table, fmt.Sprintf("table %s.%s does not exist: check --database and --table", db, table)); err != nil {
		return nil, err
	}
	if err := e.checkChecksumTable(ctx, shadow, fmt.Sprintf("shadow table %s.%s does not exist, so there is nothing to compare %s.%s with: "+
		"name the table to compare it with --shadow (by default, the shadow a hotswap run creates, %s)", db, shadow, db, table,
		schema.DerivedName(table, "new", dialect.MaxNameLen))); err != nil {
		return nil, err
	}
	src, err := dialect.LoadTable(ctx, e.db, db, table)
	if err != nil {
		return nil, &job.Refused{Err: err}
	}
	dst, err := dialect.LoadTable(ctx, e.db, db, shadow)
	if err != nil {
		return nil, &job.Refused{Err: err}
	}
	pairs := schema.MapColumns(src, dst, &schema.Alter{}) // no renames, no drops: by name
	srcKey, dstKey, err := schema.ChooseKey(src, dst, pairs)
	if err != nil {
		return nil, mysqlNoCommonKey(src, dst, pairs)
	}
	tz, err := dialect.GlobalTimeZone(ctx, e.db)
	if err != nil {
		return nil, &job.Refused{Err: err}
	}
	rows := &dialect.Rows{DB: e.db, Database: db, Source: table, Shadow: shadow, Pairs: pairs,
		SrcKey: srcKey, DstKey: dstKey, SrcTable: src, DstTable: dst, ShareLock: e.server.ShareLock, TimeZone: tz}
	point := dialect.ChecksumPoint{DB: e.db, Database: db, Table: table, Also: []string{shadow}, LockTimeout: c.CutOverLockTimeout}
	t := &engine.ChecksumTarget{Shadow: db + "." + shadow, KeyColumns: srcKey.Columns}
	for _, p := range pairs {
		t.Columns = append(t.Columns, p.Source)
	}
	t.LeftOut = mysqlLeftOut(src, dst, pairs)
	t.Open = func(ctx context.Context) ([]checksum.Snapshot, func(), error) {
		conns, err := point.Open(ctx, c.Threads)
		if err != nil {
			if !dialect.IsLockWait(err) && !errors.Is(err, context.DeadlineExceeded) {
				err = engine.NoRetry{Err: err} // waiting would not help
			}
			return nil, nil, err
		}
		snaps := make([]checksum.Snapshot, len(conns))
		for i, conn := range conns {
			snaps[i] = dialect.Snapshot{Rows: rows, Conn: conn}
		}
		return snaps, func() { dialect.EndSnapshots(conns) }, nil
	}
	return t, nil
}

// checkChecksumTable refuses a missing table (with the message given), a
// view, or a table whose engine has no consistent snapshots.
func (e *Engine) checkChecksumTable(ctx context.Context, name, missing string) error {
	db := e.spec.Conn.Database
	kind, storage, err := dialect.TableKind(ctx, e.db, db, name)
	switch {
	case err != nil:
		return &job.Refused{Err: err}
	case kind == "":
		return job.Refuse("%s", missing)
	case kind != "BASE TABLE":
		return job.Refuse("%s.%s is a %s, not a table: the checksum compares base tables", db, name, strings.ToLower(kind))
	case !strings.EqualFold(storage, "InnoDB"):
		return job.Refuse("table %s.%s uses the %s engine: the checksum needs InnoDB (consistent snapshots)", db, name, storage)
	}
	return nil
}

// mysqlLeftOut lists the columns of either table that are not compared.
func mysqlLeftOut(src, dst *schema.Table, pairs []schema.ColumnPair) []string {
	paired := map[string]bool{}
	for _, p := range pairs {
		paired[strings.ToLower(p.Source)] = true
	}
	var out []string
	for _, sc := range src.Columns {
		if paired[strings.ToLower(sc.Name)] {
			continue
		}
		if dc, ok := dst.Column(sc.Name); ok && dc.Generated {
			out = append(out, fmt.Sprintf("%s (generated in %s)", sc.Name, dst.Name))
		} else {
			out = append(out, fmt.Sprintf("%s (only in %s)", sc.Name, src.Name))
		}
	}
	for _, dc := range dst.Columns {
		if _, ok := src.Column(dc.Name); !ok {
			out = append(out, fmt.Sprintf("%s (only in %s)", dc.Name, dst.Name))
		}
	}
	return out
}

// mysqlNoCommonKey says why schema.ChooseKey found no key for both tables.
func mysqlNoCommonKey(src, dst *schema.Table, pairs []schema.ColumnPair) error {
	table, shadow := src.Schema+"."+src.Name, dst.Schema+"."+dst.Name
	cands := src.KeyCandidates()
	if len(cands) == 0 {
		return engine.NoCommonKey(table, shadow, table+" has no PRIMARY KEY or NOT NULL UNIQUE key", "add one to both tables")
	}
	var keys []string
	for _, ix := range cands {
		keys = append(keys, fmt.Sprintf("%s (%s)", ix.Name, strings.Join(ix.Columns, ", ")))
	}
	paired := map[string]bool{}
	for _, p := range pairs {
		paired[strings.ToLower(p.Source)] = true
	}
	var missing []string
	for _, col := range cands[0].Columns {
		if !paired[strings.ToLower(col)] {
			missing = append(missing, col)
		}
	}
	why := fmt.Sprintf("%s has no PRIMARY KEY or NOT NULL UNIQUE key on the same columns", shadow)
	if len(missing) > 0 {
		why = fmt.Sprintf("%s lacks key column %s of %s", shadow, strings.Join(missing, ", "), cands[0].Name)
	}
	return engine.NoCommonKey(table, shadow, fmt.Sprintf("%s's keys are %s and %s", table, strings.Join(keys, ", "), why),
		"add the key to the shadow, or name another table with --shadow")
}
