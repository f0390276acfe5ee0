package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/internal/testdb"
)

// runCaptured is run with the command's output captured.
func runCaptured(args ...string) (code int, stdout, stderr string) {
	root := rootCommand()
	var out, errb bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.Execute()
	var e exitError
	switch {
	case err == nil:
		code = exitOK
	case asExit(err, &e):
		code = int(e)
	default:
		fmt.Fprintln(&errb, "error:", err)
		code = exitRefused
	}
	return code, out.String(), errb.String()
}

// TestChecksumCommand: exit 0 when equal, 1 when rows differ (naming the
// first key), 2 for bad flags or a missing shadow; the password is never
// printed.
func TestChecksumCommand(t *testing.T) {
	srv := testdb.MySQLServer(t)
	db, admin := srv.NewDatabase(t)
	for _, s := range []string{"CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 1), (2, 2), (3, 3)",
		"CREATE TABLE _t_new LIKE t", "INSERT INTO _t_new SELECT * FROM t"} {
		if _, err := admin.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	dsn := fmt.Sprintf("mysql://%s:%s@%s:%d/%s", srv.User, srv.Password, srv.Host, srv.Port, db)
	check := func(name string, want int, wantOut, wantErr string, args ...string) {
		t.Helper()
		code, out, errOut := runCaptured(append([]string{"checksum"}, args...)...)
		t.Logf("%s: exit status %d\nstdout:\n%s\nstderr:\n%s", name, code, out, errOut)
		if code != want || !strings.Contains(out, wantOut) || !strings.Contains(errOut, wantErr) {
			t.Errorf("%s: exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", name, code, want, out, errOut)
		}
		if strings.Contains(out+errOut, srv.Password) {
			t.Errorf("%s: the password was printed:\n%s\n%s", name, out, errOut)
		}
	}
	check("equal", exitOK, "Equal: no row differs", "", "--dsn", dsn, "--table", "t", "--threads", "2")
	if _, err := admin.Exec("UPDATE _t_new SET v = 20 WHERE id = 2"); err != nil {
		t.Fatal(err)
	}
	check("differs", exitFailed, "id=2", "1 row differs between "+db+".t and "+db+"._t_new (first differing key id=2)", "--dsn", dsn, "--table", "t")
	check("missing shadow", exitRefused, "", "shadow table "+db+".nope does not exist", "--dsn", dsn, "--table", "t", "--shadow", "nope")
	for _, s := range []string{"CREATE TABLE u (id INT PRIMARY KEY, v INT)", "INSERT INTO u VALUES (1, 1)", "CREATE TABLE _u_new LIKE u", "INSERT INTO _u_new SELECT * FROM u"} {
		if _, err := admin.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	check("two tables, the first differs", exitFailed, "Equal: no row differs", "1 row differs between "+db+".t and "+db+"._t_new", "--dsn", dsn, "--table", "t", "--table", "u")
	check("--shadow with two tables", exitRefused, "", "--shadow names one table's copy", "--dsn", dsn, "--table", "t", "--table", "u", "--shadow", "x")
	check("a table twice", exitRefused, "", "--table t is given twice", "--dsn", dsn, "--table", "t", "--table", "t")
	check("missing table flag", exitRefused, "", "--table is required", "--dsn", dsn)
	check("bad threads", exitRefused, "", "--threads 0", "--dsn", dsn, "--table", "t", "--threads", "0")
	check("unknown flag", exitRefused, "", "unknown flag", "--dsn", dsn, "--table", "t", "--nope")
	check("wrong password", exitRefused, "", "refused", "--dsn", strings.Replace(dsn, srv.Password, "wrong-pw", 1), "--table", "t")
}
