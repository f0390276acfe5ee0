package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hotswap/hotswap/control"
)

// TestMigrateMetricsAcrossRunsAndWindows: `migrate up --revert-window
// --metrics-address` serves one endpoint for the whole command: the online
// statements of two versions, each a series of its own, are scraped on it,
// the first done (its window closed by the next version: it keeps its last
// state), the second in its revert window (revertible); /status lists the
// runs, and the endpoint closes with the command.
func TestMigrateMetricsAcrossRunsAndWindows(t *testing.T) {
	tg := mysqlTarget(t)
	dir := t.TempDir()
	for name, body := range map[string]string{
		"0001_tables.up.sql": "CREATE TABLE items (id BIGINT PRIMARY KEY, v INT NOT NULL);\nINSERT INTO items SELECT seq, seq FROM seq_1_to_5000;\n" +
			"CREATE TABLE notes (id BIGINT PRIMARY KEY, v INT NOT NULL);\nINSERT INTO notes SELECT seq, seq FROM seq_1_to_5000;\nANALYZE TABLE items, notes;",
		"0002_items.up.sql":   "ALTER TABLE items ADD COLUMN w INT DEFAULT 1, MODIFY v BIGINT NOT NULL;",
		"0002_items.down.sql": "ALTER TABLE items DROP COLUMN w;",
		"0003_notes.up.sql":   "ALTER TABLE notes ADD COLUMN w INT DEFAULT 2, MODIFY v BIGINT NOT NULL;",
		"0003_notes.down.sql": "ALTER TABLE notes DROP COLUMN w;",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	addr := freeAddr(t)
	up := startChild(t, tg.env, append([]string{"migrate", "--dir", dir, "--online-rows", "1000", "up", "--revert-window", "10m",
		"--metrics-address", addr}, tg.args...)...)
	waitVersionState(t, tg, up, 3, "revertible")
	body := httpGet(addr, "/metrics")
	for _, want := range []string{`state="done",table="items"} 1`, `state="revertible",table="notes"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, body)
		}
	}
	var runs []control.Status
	if err := json.Unmarshal([]byte(httpGet(addr, "/status")), &runs); err != nil || len(runs) != 2 {
		t.Errorf("/status = %v (%v), want the 2 runs", runs, err)
	}
	up.cmd.Process.Signal(syscall.SIGINT) // closes the windows: the version stands (the exit says it was stopped)
	up.wait(t, 2*time.Minute)
	var state string
	if err := tg.db.QueryRow("SELECT state FROM hotswap_migrations WHERE version = 3").Scan(&state); err != nil || state != "applied" {
		t.Fatalf("version 3 is %q after Ctrl-C in its window (%v):\n%s", state, err, up.out.String())
	}
	if httpGet(addr, "/metrics") != "" {
		t.Error("the endpoint still answers after the command ended")
	}
}

// freeAddr is a loopback address no one listens on now.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// httpGet is the body at addr's path, "" when nothing answers.
func httpGet(addr, path string) string {
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
