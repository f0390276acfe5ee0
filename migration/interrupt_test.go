package migration_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/migration"
	"github.com/rs/zerolog"
)

// TestInterruptLeavesOriginalAndSaysWhatIsLeft: Ctrl-C (a cancelled context)
// during the copy stops the run, leaves the original table as it was, and
// the output names the shadow left and how to clean up. The logs and the
// output never show the password.
func TestInterruptLeavesOriginalAndSaysWhatIsLeft(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM seq_1_to_200000")
	cfg := e.config("t", "ADD COLUMN w INT")
	cfg.ChunkSize = 100
	logs := &syncBuffer{} // the run logs from several goroutines
	cfg.Log = zerolog.New(logs)
	out := &syncBuffer{}
	cfg.Out = out
	m := migration.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	for m.State() != migration.StateCopying {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err == nil || migration.IsRefused(err) {
			t.Fatalf("want a run failure, got %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the run did not stop after the interrupt")
	}
	for _, want := range []string{"is in place and unchanged", "Left behind: shadow table", "DROP TABLE", "--initially-drop-ghost-table"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if e.tables() != "_t_chk,_t_new,t" || e.count("t") != 200000 || strings.Contains(e.showCreate("t"), "`w`") {
		t.Fatalf("after the interrupt: tables %s", e.tables())
	}
	if strings.Contains(logs.String()+out.String(), cfg.Conn.Password) {
		t.Fatal("the password appears in the logs or the output")
	}
}
