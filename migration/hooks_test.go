package migration_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/hooks"
	"github.com/hotswap/hotswap/migration"
)

// hookDir writes one script per hook that logs its name and a variable.
func hookDir(t *testing.T, fail string) (dir, logFile string) {
	dir = t.TempDir()
	logFile = filepath.Join(dir, "hooks.log")
	for _, h := range []string{hooks.OnStartup, hooks.OnValidated, hooks.OnRowCountComplete, hooks.OnBeforeRowCopy,
		hooks.OnStatus, hooks.OnInteractiveCommand, hooks.OnRowCopyComplete, hooks.OnBeginPostponed,
		hooks.OnBeforeCutOver, hooks.OnSuccess, hooks.OnFailure} {
		body := "#!/bin/sh\necho \"" + h + " $GH_OST_TABLE_NAME $HOTSWAP_GHOST_TABLE_NAME $GH_OST_COMMAND\" >> " + logFile + "\n"
		if h == fail {
			body += "echo refusing; exit 1\n"
		}
		if err := os.WriteFile(filepath.Join(dir, "gh-ost-"+h), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir, logFile
}

func TestHooksRunInOrderWithEnvironment(t *testing.T) {
	e := newEnv(t)
	dir, logFile := hookDir(t, "")
	run, sock, hold := controlled(t, e, func(c *migration.Config) {
		c.HooksPath = dir
		c.HooksStatusInterval = 200 * time.Millisecond
	})
	send(t, sock, "sup")
	os.Remove(hold)
	eventually(t, time.Minute, "the postponed cut-over", func() bool { return statusOf(t, sock).State == "postponed" })
	send(t, sock, "unpostpone")
	run.wait(t)
	got, _ := os.ReadFile(logFile)
	log := string(got)
	order := []string{"on-startup t", "on-validated t _t_new", "on-rowcount-complete", "on-before-row-copy",
		"on-row-copy-complete", "on-before-cut-over", "on-begin-postponed", "on-success"}
	at := 0
	for _, want := range order {
		i := strings.Index(log[at:], want)
		if i < 0 {
			t.Fatalf("hook %q missing or out of order in:\n%s", want, log)
		}
		at += i
	}
	for _, want := range []string{"on-status t _t_new", "on-interactive-command t _t_new sup"} {
		if !strings.Contains(log, want) {
			t.Errorf("no %q in:\n%s", want, log)
		}
	}
	if strings.Contains(log, "on-failure") {
		t.Errorf("on-failure ran on success:\n%s", log)
	}
}

func TestFailingBeforeCutOverHookStopsCleanly(t *testing.T) {
	e := newEnv(t)
	dir, logFile := hookDir(t, hooks.OnBeforeCutOver)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM seq_1_to_1000")
	cfg := e.config("t", "ADD COLUMN w INT")
	cfg.HooksPath = dir
	out, err := e.run(cfg)
	if err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("want the hook's failure, got %v", err)
	}
	if !strings.Contains(out, "is in place and unchanged") || strings.Contains(e.showCreate("t"), "`w`") {
		t.Fatalf("the table changed:\n%s", out)
	}
	got, _ := os.ReadFile(logFile)
	if !strings.Contains(string(got), "on-failure") {
		t.Errorf("on-failure did not run:\n%s", got)
	}
}

func TestFailingStartupHookRefusesBeforeAnyChange(t *testing.T) {
	e := newEnv(t)
	dir, _ := hookDir(t, hooks.OnStartup)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY)")
	cfg := e.config("t", "ADD COLUMN w INT")
	cfg.HooksPath = dir
	e.refusal(cfg, "refusing")
}

func TestFailingValidatedHookRefusesAndDropsTheShadow(t *testing.T) {
	e := newEnv(t)
	dir, _ := hookDir(t, hooks.OnValidated)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY)")
	cfg := e.config("t", "ADD COLUMN w INT")
	cfg.HooksPath = dir
	e.refusal(cfg, "refusing")
}

func TestFailingInteractiveHookRefusesTheCommand(t *testing.T) {
	e := newEnv(t)
	dir, _ := hookDir(t, hooks.OnInteractiveCommand)
	run, sock, hold := controlled(t, e, func(c *migration.Config) { c.HooksPath = dir })
	if got := send(t, sock, "chunk-size=77"); !strings.Contains(got, "refused") || send(t, sock, "chunk-size=?") == "77" {
		t.Fatalf("the hook did not refuse the command: %q", got)
	}
	os.Remove(hold)
	run.m.Unpostpone()
	run.wait(t)
}
