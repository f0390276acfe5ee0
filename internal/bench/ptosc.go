package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// ptoscNote says why pt-online-schema-change steps are skipped, "" if they
// run: MariaDB only, and only if the program is installed.
func ptoscNote(c config, e engine) string {
	switch {
	case c.SkipPTOSC:
		return "skipped (-skip-ptosc)"
	case e.name() != "mysql":
		return "" // not a MySQL tool: no row at all
	}
	if _, err := exec.LookPath(c.PTOSC); err != nil {
		return fmt.Sprintf("skipped: %s not found (make bench-setup, or apt-get install -y percona-toolkit)", c.PTOSC)
	}
	return ""
}

// ptoscArgs is pt-online-schema-change's command line for the engine's ALTER
// on table; the password is in the DSN's option file (F=), not here.
func ptoscArgs(e engine, table, dsn string) []string {
	return []string{"--alter", e.alter(), "--execute",
		"--no-check-replication-filters", "--recursion-method=none",
		dsn + ",t=" + table}
}

// ptoscCommand is pt-online-schema-change's arguments for table, and the
// command line as printed.
func ptoscCommand(c config, e engine, dir, table string) (args []string, shown string, err error) {
	dsn, err := e.ptoscDSN(dir)
	if err != nil {
		return nil, "", err
	}
	args = ptoscArgs(e, table, dsn)
	return args, c.PTOSC + " " + strings.Join(quoteArgs(args), " "), nil
}

// runPTOSC runs pt-online-schema-change to its end, for c.PTOSCTimeout at
// most (it can wait minutes on its metadata locks under the load; then it is
// interrupted, and killed 30 s later). Its error is the reason it gave.
func runPTOSC(ctx context.Context, c config, args []string, logPath string) (*child, error) {
	ctx, cancel := context.WithTimeout(ctx, c.PTOSCTimeout)
	defer cancel()
	ch, err := startChild(ctx, "pt-online-schema-change", c.PTOSC, args, nil, logPath, nil)
	if err != nil {
		return nil, err
	}
	if err := ch.wait(); err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return ch, fmt.Errorf("timed out after %s (-ptosc-timeout): %s", c.PTOSCTimeout, ptoscReason(logPath))
		}
		return ch, fmt.Errorf("%s: %w", ptoscReason(logPath), err)
	}
	return ch, nil
}

// ptoscReason is the last error pt-online-schema-change logged, shortened.
func ptoscReason(logPath string) string {
	reason := "no error in its log"
	for _, line := range strings.Split(logTail(logPath, 40), "\n") {
		if strings.Contains(line, "Error") || strings.Contains(line, "failed") {
			reason = strings.TrimSpace(line)
		}
	}
	if i := strings.Index(reason, " [for Statement"); i > 0 {
		reason = reason[:i]
	}
	if len(reason) > 200 {
		reason = reason[:200] + "..."
	}
	return reason
}

// quoteArgs quotes the arguments that have spaces, for printing.
func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " '\"") {
			a = fmt.Sprintf("%q", a)
		}
		out[i] = a
	}
	return out
}
