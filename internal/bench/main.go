// Command bench runs `make bench`: on one throwaway MariaDB, in one run, it
// times a blocking ALTER ... ALGORITHM=COPY and hotswap's online ALTER of the
// same sysbench-shaped table, and prints their ratio and hotswap's peak RSS.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/hotswap/hotswap/internal/testdb"
)

var extraArgs []string

const alter = "ADD COLUMN x INT NOT NULL DEFAULT 0, MODIFY c VARCHAR(130) NOT NULL DEFAULT ''"

func main() {
	bin := flag.String("bin", "bin/hotswap", "hotswap binary")
	rows := flag.Int("rows", 2_000_000, "rows in the table")
	threads := flag.Int("threads", 2, "hotswap --threads")
	skipChecksum := flag.Bool("skip-checksum", false, "pass --skip-checksum to hotswap")
	flag.Parse()
	if *skipChecksum {
		extraArgs = append(extraArgs, "--skip-checksum")
	}
	if err := run(*bin, *rows, *threads); err != nil {
		fmt.Fprintln(os.Stderr, "bench failed:", err)
		os.Exit(1)
	}
}

func run(bin string, rows, threads int) error {
	ctx := context.Background()
	srv, err := testdb.StartMySQL()
	if err != nil {
		return fmt.Errorf("start MariaDB: %w", err)
	}
	defer srv.Stop()
	if err := createDB(srv); err != nil {
		return err
	}
	db, err := sql.Open("mysql", srv.RootDSN("bench"))
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Printf("loading sbtest1 and its twin sbtest2 with %d rows...\n", rows)
	if err := load(ctx, db, rows); err != nil {
		return err
	}
	t0 := time.Now()
	if _, err := db.ExecContext(ctx, "ALTER TABLE sbtest2 "+alter+", ALGORITHM=COPY"); err != nil {
		return fmt.Errorf("blocking ALTER: %w", err)
	}
	blocking := time.Since(t0)
	online, rssKB, err := hotswap(bin, srv, threads)
	if err != nil {
		return err
	}
	fmt.Printf("\n| rows | blocking ALTER (COPY) | hotswap | ratio | hotswap rows/s | hotswap peak RSS |\n|---|---|---|---|---|---|\n")
	fmt.Printf("| %d | %.2f s | %.2f s | %.2fx | %.0f | %d MB |\n", rows, blocking.Seconds(), online.Seconds(),
		online.Seconds()/blocking.Seconds(), float64(rows)/online.Seconds(), rssKB/1024)
	return nil
}

func createDB(srv *testdb.MySQL) error {
	db, err := sql.Open("mysql", srv.RootDSN(""))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec("CREATE DATABASE bench")
	return err
}

func load(ctx context.Context, db *sql.DB, rows int) error {
	for _, t := range []string{"sbtest1", "sbtest2"} {
		q := "CREATE TABLE " + t + ` (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL DEFAULT 0,
			c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '', KEY k_1 (k)) ENGINE=InnoDB`
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	const batch = 200_000
	for lo := 0; lo < rows; lo += batch {
		q := fmt.Sprintf(`INSERT INTO sbtest1 (k, c, pad) SELECT FLOOR(RAND(seq) * %d), SHA2(seq, 256), MD5(seq)
			FROM seq_1_to_%d`, rows, min(batch, rows-lo))
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	_, err := db.ExecContext(ctx, "INSERT INTO sbtest2 SELECT * FROM sbtest1")
	return err
}

// hotswap runs the binary and returns its wall time and peak RSS in KB.
func hotswap(bin string, srv *testdb.MySQL, threads int) (time.Duration, int64, error) {
	cmd := exec.Command(bin, "alter", "--host", srv.Host, "--port", fmt.Sprint(srv.Port), "--user", srv.User,
		"--database", "bench", "--table", "sbtest1", "--alter", alter, "--threads", fmt.Sprint(threads),
		"--chunk-size", "10000", "--execute", "--quiet")
	cmd.Args = append(cmd.Args, extraArgs...)
	cmd.Env = append(os.Environ(), "HOTSWAP_PASSWORD="+srv.Password)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("hotswap (run make build first): %w", err)
	}
	took := time.Since(t0)
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss
	}
	return took, rss, nil
}
