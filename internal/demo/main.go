// Command demo runs `make demo`: a real online migration of a 1M-row table
// on a throwaway MariaDB while a write load runs, then shows the new schema
// and compares the old and new tables row for row.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/hotswap/hotswap/internal/testdb"
)

func main() {
	bin := flag.String("bin", "bin/hotswap", "hotswap binary")
	rows := flag.Int("rows", 1_000_000, "rows in the demo table")
	flag.Parse()
	if err := run(*bin, *rows); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

func run(bin string, rows int) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	step("starting a throwaway MariaDB")
	srv, err := testdb.StartMySQL()
	if err != nil {
		return fmt.Errorf("start MariaDB (install it with: apt-get install -y mariadb-server): %w", err)
	}
	defer func() { step("stopping MariaDB"); srv.Stop() }()
	if err := createDatabase(ctx, srv); err != nil {
		return err
	}
	admin, err := sql.Open("mysql", srv.RootDSN("demo"))
	if err != nil {
		return err
	}
	defer admin.Close()
	if err := load(ctx, admin, rows); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "hotswap-demo")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	flagFile := filepath.Join(dir, "postpone-cut-over")
	if err := os.WriteFile(flagFile, nil, 0o600); err != nil {
		return err
	}
	w := startLoad(ctx, admin, rows)
	alter := "ADD COLUMN priority TINYINT NOT NULL DEFAULT 0, MODIFY note VARCHAR(255), ADD INDEX ix_customer (customer)"
	step("running: hotswap alter --table orders --alter %q --execute (write load running)", alter)
	if err := migrate(ctx, bin, srv, alter, flagFile, w); err != nil {
		return err
	}
	return report(admin, w)
}

func createDatabase(ctx context.Context, srv *testdb.MySQL) error {
	db, err := sql.Open("mysql", srv.RootDSN(""))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "CREATE DATABASE demo")
	return err
}

func step(format string, args ...any) {
	fmt.Printf("\n==> "+format+"\n", args...)
}

// migrate runs the binary; when it reports the postponed cut-over, the load
// stops so the two tables can be compared exactly afterwards.
func migrate(ctx context.Context, bin string, srv *testdb.MySQL, alter, flagFile string, w *writer) error {
	cmd := exec.CommandContext(ctx, bin, "alter", "--host", srv.Host, "--port", fmt.Sprint(srv.Port),
		"--user", srv.User, "--database", "demo", "--table", "orders", "--alter", alter,
		"--chunk-size", "5000", "--postpone-cut-over-flag-file", flagFile, "--execute")
	cmd.Env = append(os.Environ(), "HOTSWAP_PASSWORD="+srv.Password)
	cmd.Stdout = os.Stdout
	logs, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s (run make build first): %w", bin, err)
	}
	sc := bufio.NewScanner(logs)
	for sc.Scan() {
		line := sc.Text()
		fmt.Println("   ", line)
		if strings.Contains(line, "cut-over postponed") {
			n := w.stop()
			step("copy done and caught up; stopped the write load after %d writes; releasing the cut-over", n)
			time.Sleep(500 * time.Millisecond)
			os.Remove(flagFile)
		}
	}
	w.stop()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("hotswap alter: %w", err)
	}
	return nil
}
