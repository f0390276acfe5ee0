package workload

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

const simpleDDL = "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v VARCHAR(20), wl_ver BIGINT)"

// A table that disappears for a moment must show up as errors the
// application would have seen, and must not corrupt the model.
func TestReportsServerErrors(t *testing.T) {
	db := openDB(t, simpleDDL)
	w, err := New(db, Options{Table: "t", Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := w.Load(ctx, 300); err != nil {
		t.Fatal(err)
	}
	w.Start(ctx)
	time.Sleep(200 * time.Millisecond)
	mustExec(t, db, "RENAME TABLE t TO t_away")
	time.Sleep(200 * time.Millisecond)
	mustExec(t, db, "RENAME TABLE t_away TO t")
	time.Sleep(200 * time.Millisecond)
	s := w.Stop()
	if s.ErrorCount == 0 || int64(len(s.Errors)) != min(s.ErrorCount, maxErrors) {
		t.Fatalf("ErrorCount %d, %d Errors", s.ErrorCount, len(s.Errors))
	}
	t.Logf("%d errors, first: %v", s.ErrorCount, s.Errors[0])
	var me *mysql.MySQLError
	var oe *OpError
	if !errors.As(s.Errors[0], &oe) || !errors.As(s.Errors[0], &me) || me.Number != 1146 {
		t.Errorf("first error %v, want an *OpError wrapping MySQL error 1146", s.Errors[0])
	}
	if err := w.Check(ctx, db, "t"); err != nil {
		t.Fatal(err)
	}
}

// Cancelling the Start context stops the workers; errors caused by the
// cancellation itself are not reported.
func TestContextCancelStops(t *testing.T) {
	db := openDB(t, simpleDDL)
	w, err := New(db, Options{Table: "t", Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Load(context.Background(), 100); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.Start(ctx)
	time.Sleep(200 * time.Millisecond)
	cancel()
	start := time.Now()
	s := w.Stop()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Stop took %v after cancel", d)
	}
	if len(s.Errors) > 0 {
		t.Errorf("errors after cancel: %v", s.Errors)
	}
	t.Logf("%d commits, %d uncertain keys", s.Commits, s.UncertainKeys)
	// Commits cut short by the cancel are uncertain, not wrong.
	if err := w.Check(context.Background(), db, "t"); err != nil {
		t.Fatal(err)
	}
}

func TestRateLimit(t *testing.T) {
	db := openDB(t, simpleDDL)
	w, err := New(db, Options{Table: "t", Seed: 5, Rate: 20})
	if err != nil {
		t.Fatal(err)
	}
	w.Start(context.Background())
	time.Sleep(time.Second)
	s := w.Stop()
	if n := s.Commits + s.Rollbacks; n < 10 || n > 25 {
		t.Errorf("%d transactions in 1s at Rate 20", n)
	}
	if lat := w.Latencies(); len(lat) == 0 || w.MaxLatencyBetween(lat[0].Start, time.Now()) != s.MaxLatency {
		t.Errorf("latency samples disagree with MaxLatency %v", s.MaxLatency)
	}
}

// Keys left uncertain by a failed commit are accepted in either state.
func TestCheckAcceptsUncertainKeys(t *testing.T) {
	db := openDB(t, simpleDDL)
	w, err := New(db, Options{Table: "t", Seed: 6, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := w.Load(ctx, 10); err != nil {
		t.Fatal(err)
	}
	p := w.model.parts[0]
	p.markUncertain(3, p.get(3), state{})                       // delete may have committed
	p.markUncertain(11, state{}, state{present: true, ver: 99}) // insert may have committed
	mustExec(t, db, "DELETE FROM t WHERE id = 3")
	if err := w.Check(ctx, db, "t"); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, "INSERT INTO t (id, wl_ver) VALUES (11, 98)")
	if err := w.Check(ctx, db, "t"); err == nil || !strings.Contains(err.Error(), "want 99") {
		t.Fatalf("Check = %v, want a stale id 11", err)
	}
}

func TestParseEnumValues(t *testing.T) {
	got, err := parseEnumValues(`enum('a','b''c','d\\e','f,g','')`)
	want := []string{"a", "b'c", `d\e`, "f,g", ""}
	if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
}

func TestDuplicateKeyName(t *testing.T) {
	for msg, want := range map[string]string{
		"Duplicate entry 'k1' for key 'uk_email'":    "uk_email",
		"Duplicate entry '5' for key 't.PRIMARY'":    "PRIMARY",
		"Duplicate entry 'x' for key 'PRIMARY'":      "PRIMARY",
		"Lock wait timeout exceeded; try restarting": "",
	} {
		if got := duplicateKeyName(msg); got != want {
			t.Errorf("duplicateKeyName(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestKeyTextRendering(t *testing.T) {
	dt3 := &column{Class: clsDatetime, FracDigits: 3}
	dec := &column{Class: clsDecimal, Precision: 8, Scale: 2}
	bin := &column{Class: clsBinary, DataType: "binary", OctetLen: 4, CharLen: 4}
	for _, tc := range []struct {
		c      *column
		maxLen int64
		v      int64
		want   string
	}{
		{dt3, 0, 61, "2000-01-01 00:01:01.000"},
		{dec, 0, 7, "7.00"},
		{bin, 4, 12, "31320000"},
		{&column{Class: clsString}, 20, 5, "k000000000005"},
		{&column{Class: clsTime}, 0, 3600*100 + 1, "100:00:01"},
		{&column{Class: clsDate}, 0, 31, "2000-02-01"},
	} {
		if got, ok := keyText(tc.c, tc.c, tc.maxLen, tc.v); !ok || got != tc.want {
			t.Errorf("keyText(%+v, %d) = %q, %v; want %q", *tc.c, tc.v, got, ok, tc.want)
		}
	}
}

// A UNIQUE column too narrow to derive from every id gets random values;
// the resulting duplicates roll back without counting as errors.
func TestForeignDuplicatesRollBack(t *testing.T) {
	db := openDB(t, "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, u TINYINT UNSIGNED, "+
		"wl_ver BIGINT, UNIQUE KEY uk_u (u))")
	w, err := New(db, Options{Table: "t", Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := w.Load(ctx, 100); err != nil { // ids 1..100 fit u exactly
		t.Fatal(err)
	}
	w.Start(ctx)
	time.Sleep(500 * time.Millisecond)
	s := w.Stop()
	// Workers racing for the same UNIQUE value may also deadlock each other in
	// InnoDB (insert-intention locks on the unique index): that is the
	// server's answer to this test's own collisions, not a workload fault.
	var other []error
	for _, err := range s.Errors {
		var me *mysql.MySQLError
		if !errors.As(err, &me) || me.Number != 1213 {
			other = append(other, err)
		}
	}
	if len(other) > 0 || s.DupRollbacks == 0 || s.Rollbacks < s.DupRollbacks {
		t.Fatalf("want duplicate rollbacks and no other errors: %v; %+v", other, s)
	}
	if err := w.Check(ctx, db, "t"); err != nil {
		t.Fatal(err)
	}
}
