package migration_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/job"
)

// fromPosition is the cut-over position a MySQL migration prints for a
// later revert.
var fromPosition = regexp.MustCompile(`--from (\S+) --execute`)

// TestRevertAfterRunEnded (MySQL/MariaDB): a migration without a window
// ends and prints how to revert; under writers that never stop, a second run
// with RevertFrom replays the binary log from the cut-over into the old
// table and swaps it back: every acknowledged write is in the table, which
// has its old definition with the dropped column's values kept. Then: the
// same revert is refused once done (_t_rev exists), and a revert from a
// position whose binary log was purged is refused naming the oldest left.
func TestRevertAfterRunEnded(t *testing.T) {
	e := newEnv(t)
	d := revertDDL["mysql"]
	e.exec(d.create, d.fill)
	before := e.definition("t")
	w := startKeyWriter(t, e, 3000)
	cfg := e.config("t", d.alter)
	run := e.start(cfg)
	run.wait(t)
	m := fromPosition.FindStringSubmatch(run.out.String())
	if m == nil {
		t.Fatalf("the migration does not print how to revert it:\n%s", run.out.String())
	}
	time.Sleep(time.Second) // writes into the new table only
	cfg.RevertFrom = m[1]
	rev := e.start(cfg)
	rev.wait(t)
	time.Sleep(300 * time.Millisecond)
	w.stopAndCheck(t, "t")
	if got := e.definition("t"); got != before {
		t.Fatalf("after the revert t is not its old self:\n%s\nwant:\n%s", got, before)
	}
	w.requireKept(t, e, "t")
	if tables := e.tables(); tables != "_t_rev,t" {
		t.Fatalf("tables after the revert: %s", tables)
	}

	_, err := e.run(cfg)
	var refused *job.Refused
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "not there") {
		t.Fatalf("a second revert: want a refusal (no old table), got %v", err)
	}
	e.exec("RENAME TABLE t TO _t_old, _t_rev TO t", "FLUSH BINARY LOGS")
	var file string
	if err := e.admin.QueryRow("SELECT SUBSTRING_INDEX(?, ':', 1)", m[1]).Scan(&file); err != nil {
		t.Fatal(err)
	}
	var newest string
	rows, err := e.admin.Query("SHOW BINARY LOGS")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var size any
		rows.Scan(&newest, &size)
	}
	rows.Close()
	// a stream that just ended may still hold its binary log open on the
	// server for a moment, and PURGE keeps a log in use (with a warning only)
	for _, id := range e.binlogDumpIDs(t) {
		_, _ = e.admin.Exec(fmt.Sprintf("KILL %d", id))
	}
	eventually(t, 10*time.Second, "no binlog dump thread left", func() bool { return len(e.binlogDumpIDs(t)) == 0 })
	e.exec("PURGE BINARY LOGS TO '" + newest + "'")
	_, err = e.run(cfg)
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "purged") || !strings.Contains(err.Error(), newest) {
		t.Fatalf("a revert from a purged binary log: want a refusal naming %s, got %v", newest, err)
	}
	if got := e.tables(); got != "_t_old,t" {
		t.Fatalf("a refused revert changed the tables: %s", got)
	}
}
