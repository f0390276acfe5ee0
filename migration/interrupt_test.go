package migration_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/migration"
	"github.com/rs/zerolog"
)

// TestInterruptLeavesOriginalAndSaysWhatIsLeft: Ctrl-C (a cancelled context)
// during the copy, or while the cut-over is postponed, stops the run
// promptly with context.Canceled (not a refusal); the original table keeps
// its definition and every row; only the shadow (and on MariaDB the
// checkpoint table, for --resume) is left, and the output names the shadow
// and how to clean up; nothing of the change stream is left on the server
// (PostgreSQL: the slot the run had is dropped). The logs and the output
// never show the password.
func TestInterruptLeavesOriginalAndSaysWhatIsLeft(t *testing.T) {
	type moment struct {
		state string // the run is cancelled in this state
		rows  int
	}
	moments := []moment{
		{migration.StateCopying, 200000}, // and 200ms into it, with chunks of 100 rows
		{migration.StatePostponed, 2000},
	}
	cases := map[string][]moment{"mysql": moments, "postgres": moments}
	left := map[string]string{"mysql": "_t_chk,_t_new,t", "postgres": "_t_new,t"}
	whileRunning := map[string][]scalarWant{ // what the run has on the server before the interrupt
		"postgres": {{"SELECT count(*) FROM pg_replication_slots WHERE database = current_database()", 1}},
	}
	forEachEngineCase(t, cases, func(m moment) string { return m.state }, func(t *testing.T, e engineEnv, c moment) {
		e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM "+e.seq(c.rows))
		before := e.definition("t")
		cfg := e.config("t", "ADD COLUMN w INT")
		cfg.ChunkSize = 100
		cfg.PostponeFlagFile = flagFile(t)
		logs := &syncBuffer{} // the run logs from several goroutines
		cfg.Log = zerolog.New(logs)
		out := &syncBuffer{}
		cfg.Out = out
		m := migration.New(cfg)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()
		for m.State() != c.state {
			select {
			case err := <-done:
				t.Fatalf("run ended before %s: %v\n%s", c.state, err, out.String())
			case <-time.After(10 * time.Millisecond):
			}
		}
		time.Sleep(200 * time.Millisecond)
		requireScalars(t, e, whileRunning[e.engine()]...)
		cancel()
		select {
		case err := <-done:
			if err == nil || migration.IsRefused(err) || !errors.Is(err, context.Canceled) {
				t.Fatalf("want the run stopped with context.Canceled, got %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the run did not stop after the interrupt")
		}
		for _, want := range []string{"is in place and unchanged", "Left behind: shadow table", "_t_new", "DROP TABLE", "--initially-drop-ghost-table"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		}
		if e.tables() != left[e.engine()] || e.scalar("SELECT COUNT(*) FROM t") != int64(c.rows) || e.definition("t") != before {
			t.Fatalf("after the interrupt: tables %s, %d rows\n%s", e.tables(), e.scalar("SELECT COUNT(*) FROM t"), e.definition("t"))
		}
		e.requireNoStreamLeftovers()
		if strings.Contains(logs.String()+out.String(), cfg.Conn.Password) {
			t.Fatal("the password appears in the logs or the output")
		}
	})
}
