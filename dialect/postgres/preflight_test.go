package postgres

import (
	"context"
	"strings"
	"testing"
)

// TestCheckServer: the test server is ready for the hotswap role; a role
// without REPLICATION is refused with the attribute, its value and the fix.
func TestCheckServer(t *testing.T) {
	_, app, admin := appDB(t)
	ctx := context.Background()
	if err := CheckServer(ctx, app); err != nil {
		t.Fatalf("CheckServer as the hotswap role: %v", err)
	}
	role := objectsTestRole(t, admin, "NOLOGIN NOREPLICATION")
	conn, err := admin.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		objectsTestExec(t, conn, "RESET ROLE") // the connection goes back to the pool
		_ = conn.Close()
	}()
	objectsTestExec(t, conn, "SET ROLE "+role)
	err = CheckServer(ctx, conn)
	for _, want := range []string{`role "` + role + `"`, "neither REPLICATION nor SUPERUSER", "rolreplication = false", `ALTER ROLE "` + role + `" REPLICATION`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("CheckServer as %s: %v, want an error containing %q", role, err, want)
		}
	}
	if strings.Contains(err.Error(), "wal_level") || strings.Contains(err.Error(), "max_") {
		t.Fatalf("CheckServer names settings that are fine: %v", err)
	}
}

// TestServerReadinessProblems: each setting that is off gets its own
// message, with its value and the fix.
func TestServerReadinessProblems(t *testing.T) {
	ok := serverReadiness{role: "hs", walLevel: "logical", replication: true, maxSlots: 10, usedSlots: 9, maxSenders: 10, usedSenders: 9}
	if errs := ok.problems(); len(errs) != 0 {
		t.Fatalf("ready server: %v", errs)
	}
	for _, c := range []struct {
		change func(*serverReadiness)
		want   []string
	}{
		{func(r *serverReadiness) { r.walLevel = "replica" }, []string{`wal_level is "replica"`, "wal_level = logical", "restart"}},
		{func(r *serverReadiness) { r.replication = false }, []string{`role "hs" has neither REPLICATION`, `ALTER ROLE "hs" REPLICATION`}},
		{func(r *serverReadiness) { r.usedSlots = 10 }, []string{"max_replication_slots is 10 and 10 slots exist", "pg_drop_replication_slot"}},
		{func(r *serverReadiness) { r.usedSenders = 10 }, []string{"max_wal_senders is 10 and 10 WAL senders", "raise max_wal_senders"}},
	} {
		r := ok
		c.change(&r)
		errs := r.problems()
		if len(errs) != 1 {
			t.Fatalf("%+v: %d problems %v, want 1", r, len(errs), errs)
		}
		for _, w := range c.want {
			if !strings.Contains(errs[0].Error(), w) {
				t.Errorf("%q lacks %q", errs[0], w)
			}
		}
	}
	for _, r := range []serverReadiness{{superuser: true}, {rdsReplication: true}} {
		r.walLevel, r.maxSlots, r.maxSenders = "logical", 1, 1
		if errs := r.problems(); len(errs) != 0 {
			t.Errorf("%+v: %v", r, errs)
		}
	}
}
