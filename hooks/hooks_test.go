package hooks

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

func script(t *testing.T, dir, name, body string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), mode); err != nil {
		t.Fatal(err)
	}
}

func TestRunPassesEnvironmentAndGates(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "seen")
	script(t, dir, "gh-ost-on-startup-1", `echo "$GH_OST_TABLE_NAME $HOTSWAP_TABLE_NAME $GH_OST_COMMAND" >> `+out, 0o755)
	script(t, dir, "hotswap-on-startup-2", `echo second >> `+out, 0o755)
	script(t, dir, "gh-ost-on-startup-notexec", `echo never >> `+out, 0o644)
	script(t, dir, "gh-ost-on-success", `echo other-hook >> `+out, 0o755)
	r := &Runner{Dir: dir, Env: func() map[string]string { return map[string]string{"TABLE_NAME": "orders"} }, Log: zerolog.Nop()}
	if err := r.Run(context.Background(), OnStartup, map[string]string{"COMMAND": "status"}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	if string(got) != "orders orders status\nsecond\n" {
		t.Fatalf("hooks ran with output %q", got)
	}

	script(t, dir, "gh-ost-on-before-cut-over", `echo "not now"; exit 3`, 0o755)
	err := r.Run(context.Background(), OnBeforeCutOver, nil)
	if err == nil || !strings.Contains(err.Error(), "not now") {
		t.Fatalf("a failing gating hook must stop the run with its output: %v", err)
	}
	script(t, dir, "gh-ost-on-status", `exit 1`, 0o755)
	if err := r.Run(context.Background(), OnStatus, nil); err != nil {
		t.Fatalf("a failing on-status hook must only be logged: %v", err)
	}
}

func TestMissingDirectoryIsAnError(t *testing.T) {
	r := &Runner{Dir: "/nonexistent/hooks", Log: zerolog.Nop()}
	if err := r.Check(); err == nil {
		t.Fatal("a missing --hooks-path was accepted")
	}
	var none *Runner
	if err := none.Run(context.Background(), OnStartup, nil); err != nil {
		t.Fatal(err)
	}
}
