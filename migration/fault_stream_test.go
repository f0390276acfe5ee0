package migration_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/workload"
	"github.com/hotswap/hotswap/migration"
)

// TestStreamConnectionKilledMidRun: the server ends hotswap's change-stream
// connection (MariaDB: the binlog dump, killed; PostgreSQL: the walsender,
// terminated) twice while the workload writes; the stream reconnects from
// where it was (on PostgreSQL the last position it handed to the applier),
// and no change is lost: frozen comparison of source and shadow, then every
// acknowledged write checked after the cut-over.
func TestStreamConnectionKilledMidRun(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		e.exec("CREATE TABLE t (id BIGINT PRIMARY KEY, a INT, s VARCHAR(64), wl_ver BIGINT)")
		w := newWorkload(t, e, 3000, workload.Options{Workers: 3, Rate: 400, BigValueRatio: -1})
		w.Start(context.Background())
		cfg := e.config("t", "ADD COLUMN extra INT")
		cfg.PostponeFlagFile = flagFile(t)
		run := e.start(cfg)
		run.waitState(t, migration.StatePostponed)
		for range 2 {
			e.killStream(t)
			time.Sleep(700 * time.Millisecond) // writes go on while the stream is cut
		}
		requireNoErrors(t, w.Stop())
		run.compareShadow(t, e, "t", []string{"id"}, nil)
		os.Remove(cfg.PostponeFlagFile)
		run.wait(t)
		if err := w.Check(context.Background(), e.writer(), "t"); err != nil {
			t.Fatalf("acknowledged writes: %v", err)
		}
		e.requireNoStreamLeftovers()
	})
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
