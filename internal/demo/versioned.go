package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// versionedFiles are the demo's versioned migrations: a small table created
// directly, then the old table the alter above kept dropped and an ALTER of
// the big orders table (in place when the server can, else online), then a
// data change of it, run as a background backfill.
var versionedFiles = map[string]string{
	"0001_tags.up.sql":   "CREATE TABLE tags (id INT PRIMARY KEY, name VARCHAR(40));\nINSERT INTO tags VALUES (1, 'first; with a semicolon');",
	"0001_tags.down.sql": "DROP TABLE tags;",
	"0002_channel.up.sql": "-- the old table the alter above kept, no longer needed: hotswap:allow drop-table\nDROP TABLE IF EXISTS _orders_old;\n" +
		"ALTER TABLE orders ADD COLUMN channel VARCHAR(16) DEFAULT 'web';",
	"0002_channel.down.sql": "ALTER TABLE orders DROP COLUMN channel;",
	// a data change of the big table: a background backfill, chunk by chunk
	"0003_app_orders.up.sql":   "UPDATE orders SET channel = 'app' WHERE channel = 'web' AND customer % 4 = 0;",
	"0003_app_orders.down.sql": "UPDATE orders SET channel = 'web' WHERE channel = 'app';",
}

// versioned shows hotswap migrate on the same database: plan, up, status.
func versioned(ctx context.Context, bin string, e engine, dir string) error {
	mdir := filepath.Join(dir, "migrations")
	if err := os.Mkdir(mdir, 0o700); err != nil {
		return err
	}
	for name, body := range versionedFiles {
		if err := os.WriteFile(filepath.Join(mdir, name), []byte(body), 0o600); err != nil {
			return err
		}
	}
	for _, sub := range []string{"plan", "up", "status"} {
		step("running: hotswap migrate %s --dir migrations (0001 creates a table, 0002 alters orders, 0003 backfills it)", sub)
		t := time.Now()
		if err := runMigrate(ctx, bin, e, sub, mdir); err != nil {
			return err
		}
		fmt.Printf("    hotswap migrate %s finished in %s\n", sub, since(t))
	}
	return nil
}

func runMigrate(ctx context.Context, bin string, e engine, sub, dir string) error {
	conn, password := e.hotswapArgs()
	args := append([]string{"migrate", sub, "--dir", dir}, conn...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "HOTSWAP_PASSWORD="+password)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stdout
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("hotswap migrate %s: %w", sub, err)
	}
	return nil
}
