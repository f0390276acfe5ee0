package versions_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/versions"
)

// TestMigrateDownInRevertWindow: with --revert-window, up applies a version
// of one online ALTER under writes and stays, the version revertible;
// down swaps the old table back at once through the live up's socket, every
// acknowledged write in it, and the up records the version reverted. Then
// an up stopped (Ctrl-C) in its window closes it: the version is applied,
// and down runs its down file; an up without a window applies the version
// again. (A kill -9 in the window: cmd/hotswap's
// TestMigrateKillNineInRevertWindowThenDown.)
func TestMigrateDownInRevertWindow(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg *target) {
		dir := writeDir(t, map[string]string{
			"0001_items.up.sql": "CREATE TABLE items (id BIGINT PRIMARY KEY, v INT NOT NULL);\n" +
				"INSERT INTO items (id, v) SELECT seq, seq FROM " + tg.seq("20000") + ";\n" + fmt.Sprintf(tg.analyze, "items") + ";",
			"0002_note.up.sql":   "ALTER TABLE items ADD COLUMN note VARCHAR(20) DEFAULT 'n', " + tg.widen + ";",
			"0002_note.down.sql": "ALTER TABLE items DROP COLUMN note; -- not run: the window reverts",
		})
		cfg, out := tg.config(t, dir)
		cfg.To = 1
		if err := versions.Up(ctx, cfg); err != nil {
			t.Fatalf("up --to 1: %v\n%s", err, out)
		}
		cfg.To, cfg.Online.RevertWindow = 0, 2*time.Minute
		w := startWriter(t, tg)
		upDone := startUp(ctx, cfg)
		waitState(t, tg, 2, versions.StateRevertible, upDone)
		if err := versions.Down(ctx, cfg); err != nil || !strings.Contains(out.String(), "Reverted items in its window") {
			t.Fatalf("down in the window: %v\n%s", err, out)
		}
		if err := <-upDone; err != nil {
			t.Fatalf("the up serving the window: %v\n%s", err, out)
		}
		w.stopAndCheck(t, tg)
		if got := tg.text(t, "SELECT state FROM hotswap_migrations WHERE version = 2"); got != versions.StateReverted {
			t.Fatalf("version 2 is %s after its revert\n%s", got, out)
		}
		if _, err := tg.db.Exec("SELECT note FROM items"); err == nil {
			t.Fatal("items still has the column version 2 added")
		}

		stop, cancel := context.WithCancel(ctx)
		upDone = startUp(stop, cfg)
		waitState(t, tg, 2, versions.StateRevertible, upDone)
		cancel()
		if err := <-upDone; err == nil {
			t.Fatal("an up stopped in its window returned no error")
		}
		if got := tg.text(t, "SELECT state FROM hotswap_migrations WHERE version = 2"); got != versions.StateApplied {
			t.Fatalf("version 2 is %s after its up was stopped in the window", got)
		}
		out.Reset()
		if err := versions.Down(ctx, cfg); err != nil || !strings.Contains(out.String(), "Version 2 (note) reverted.") {
			t.Fatalf("down after the windows were closed (its down file): %v\n%s", err, out)
		}
		if _, err := tg.db.Exec("SELECT note FROM items"); err == nil {
			t.Fatal("items still has the column version 2 added")
		}
		if n := tg.scalar(t, "SELECT COUNT(*) FROM items WHERE id <= 20000"); n != 20000 {
			t.Fatalf("items has %d of its 20,000 rows after the revert", n)
		}
		cfg.Online.RevertWindow = 0
		if err := versions.Up(ctx, cfg); err != nil {
			t.Fatalf("up again: %v\n%s", err, out)
		}
		if got := tg.text(t, "SELECT state FROM hotswap_migrations WHERE version = 2"); got != versions.StateApplied {
			t.Fatalf("version 2 is %s", got)
		}
	})
}

// startUp runs up in the background; its error arrives on the channel.
func startUp(ctx context.Context, cfg versions.Config) chan error {
	done := make(chan error, 1)
	go func() { done <- versions.Up(ctx, cfg) }()
	return done
}

// waitState waits until version n is recorded in state (or up ended).
func waitState(t *testing.T, tg *target, n int, state string, upDone chan error) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		var got string
		_ = tg.db.QueryRow(fmt.Sprintf("SELECT state FROM hotswap_migrations WHERE version = %d", n)).Scan(&got)
		if got == state {
			return
		}
		select {
		case err := <-upDone:
			t.Fatalf("up ended (%v) before version %d was %s", err, n, state)
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("version %d never became %s", n, state)
}
