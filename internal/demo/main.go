// Command demo runs `make demo`: a real online migration of a 1M-row table
// on a throwaway MariaDB (-engine mysql, the default) or PostgreSQL 15
// (-engine postgres) while a write load runs, then shows the new schema and
// compares the old and new tables row for row.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// engine is one database flavour of the demo; mysql.go and postgres.go.
type engine interface {
	name() string                      // "MariaDB", "PostgreSQL"
	start() error                      // starts the server; on error nothing is left running
	stop() error                       // closes pools, stops the server, removes its files
	prepare(ctx context.Context) error // creates database demo and opens the pools
	load(ctx context.Context, rows int) error
	write(ctx context.Context, rows int) error // one application write
	alter() string                             // the --alter clause
	hotswapArgs() (args []string, password string)
	report(ctx context.Context, w *writer) error // new schema and old/new comparison
}

func main() {
	bin := flag.String("bin", "bin/hotswap", "hotswap binary")
	rows := flag.Int("rows", 1_000_000, "rows in the demo table")
	engineName := flag.String("engine", "mysql", "mysql (a throwaway MariaDB) or postgres (a throwaway PostgreSQL 15)")
	flag.Parse()
	e, err := newEngine(*engineName)
	if err == nil {
		err = run(e, *bin, *rows)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

func newEngine(name string) (engine, error) {
	switch strings.ToLower(name) {
	case "mysql", "mariadb":
		return &mysqlDemo{}, nil
	case "postgres", "postgresql", "pg":
		return &postgresDemo{}, nil
	}
	return nil, fmt.Errorf("-engine %q: want mysql or postgres", name)
}

func run(e engine, bin string, rows int) error {
	// Signals only cancel ctx: the deferred stop below always runs, so a
	// Ctrl-C leaves no server behind (the servers run in their own process
	// group and do not see the terminal's SIGINT themselves).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	begin := time.Now()
	step("starting a throwaway %s", e.name())
	if err := e.start(); err != nil {
		return err
	}
	defer func() {
		step("stopping %s", e.name())
		if err := e.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "   ", err)
		}
	}()
	if err := e.prepare(ctx); err != nil {
		return err
	}
	t := time.Now()
	if err := e.load(ctx, rows); err != nil {
		return err
	}
	fmt.Printf("    loaded %d rows in %s\n", rows, since(t))
	dir, err := os.MkdirTemp("", "hotswap-demo")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	flagFile := filepath.Join(dir, "postpone-cut-over")
	if err := os.WriteFile(flagFile, nil, 0o600); err != nil {
		return err
	}
	w := startLoad(ctx, rows, e.write)
	defer w.stop()
	step("running: hotswap alter --table orders --alter %q --execute (write load running)", e.alter())
	t = time.Now()
	if err := migrate(ctx, bin, e, flagFile, w); err != nil {
		return err
	}
	fmt.Printf("    hotswap alter finished in %s\n", since(t))
	if err := e.report(ctx, w); err != nil {
		return err
	}
	if err := versioned(ctx, bin, e, dir); err != nil {
		return err
	}
	step("demo done in %s", since(begin))
	return nil
}

func step(format string, args ...any) {
	fmt.Printf("\n==> "+format+"\n", args...)
}

func since(t time.Time) time.Duration { return time.Since(t).Round(10 * time.Millisecond) }

// migrate runs the binary; when it reports the postponed cut-over, the load
// stops so the two tables can be compared exactly afterwards.
func migrate(ctx context.Context, bin string, e engine, flagFile string, w *writer) error {
	conn, password := e.hotswapArgs()
	args := append([]string{"alter"}, conn...)
	args = append(args, "--table", "orders", "--alter", e.alter(),
		"--chunk-size", "5000", "--postpone-cut-over-flag-file", flagFile, "--execute")
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "HOTSWAP_PASSWORD="+password)
	cmd.Stdout = os.Stdout
	// On Ctrl-C let hotswap clean up after itself before it is killed.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	logs, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s (run make build first): %w", bin, err)
	}
	sc := bufio.NewScanner(logs)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	released := false
	for sc.Scan() {
		line := sc.Text()
		fmt.Println("   ", line)
		if !released && strings.Contains(line, "cut-over postponed") {
			released = true
			n := w.stop()
			step("copy done and caught up; stopped the write load after %d writes; releasing the cut-over", n)
			time.Sleep(500 * time.Millisecond)
			os.Remove(flagFile)
		}
	}
	_, _ = io.Copy(os.Stdout, logs) // after an overlong line
	w.stop()
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: %w", ctx.Err())
		}
		return fmt.Errorf("hotswap alter: %w", err)
	}
	return nil
}
