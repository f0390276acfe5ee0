package migration_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/workload"
	"github.com/hotswap/hotswap/migration"
)

// TestBinlogConnectionKilledMidRun: the server kills hotswap's binlog dump
// connection twice while the workload writes; the stream reconnects from
// where it was, and no change is lost (frozen comparison, then Check).
func TestBinlogConnectionKilledMidRun(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id BIGINT PRIMARY KEY, a INT, s VARCHAR(64), wl_ver BIGINT)")
	w := newWorkload(t, e, 3000, workload.Options{Workers: 3, Rate: 400, BigValueRatio: -1})
	w.Start(context.Background())
	cfg := e.config("t", "ADD COLUMN extra INT")
	cfg.PostponeFlagFile = flagFile(t)
	run := e.start(cfg)
	run.waitState(t, migration.StatePostponed)
	for range 2 {
		var ids []int64
		eventually(t, 20*time.Second, "a binlog dump connection (the stream reconnecting)", func() bool {
			ids = e.binlogDumpIDs(t)
			return len(ids) > 0
		})
		for _, id := range ids {
			e.admin.Exec("KILL ?", id)
		}
		time.Sleep(700 * time.Millisecond) // writes go on while the stream is cut
	}
	requireNoErrors(t, w.Stop())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run.m.CaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	e.compare("t", run.m.ShadowName(), []string{"id"}, e.mappedColumns("t", run.m.ShadowName(), nil))
	os.Remove(cfg.PostponeFlagFile)
	run.wait(t)
	if err := w.Check(ctx, e.admin, "t"); err != nil {
		t.Fatalf("acknowledged writes: %v", err)
	}
}

func (e *env) binlogDumpIDs(t *testing.T) []int64 {
	rows, err := e.admin.Query("SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}
