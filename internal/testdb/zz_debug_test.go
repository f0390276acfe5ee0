package testdb

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

type fatalRec struct {
	testing.TB
	msg string
}

func (r *fatalRec) Helper()                    {}
func (r *fatalRec) Fatalf(f string, a ...any) { r.msg = fmt.Sprintf(f, a...) }

func TestZZDebug(t *testing.T) {
	p := PostgresServer(t)
	s := p.StartStandby(t)
	b, _ := os.ReadFile(s.DataDir + "/postgresql.auto.conf")
	t.Logf("auto.conf:\n%s", b)
	out, _ := exec.Command("sh", "-c", fmt.Sprintf("ps -o user,pid,args -u postgres | grep -e 'walsender\\|walreceiver\\|%d'", s.Port)).CombinedOutput()
	t.Logf("ps:\n%s", out)
	db := openPostgres(t, p.SuperDSN("postgres"))
	var app, addr, state string
	if err := db.QueryRow("SELECT application_name, client_addr::text, state FROM pg_stat_replication").Scan(&app, &addr, &state); err != nil {
		t.Fatal(err)
	}
	t.Logf("pg_stat_replication: %s %s %s", app, addr, state)
	var sender string
	db.QueryRow("SHOW max_wal_senders").Scan(&sender)
	t.Logf("max_wal_senders=%s", sender)
	sdb := openPostgres(t, s.SuperDSN("postgres"))
	mustExec(t, sdb, "SELECT pg_wal_replay_pause()")
	mustExec(t, db, "CREATE TABLE zz (i int)")
	r := &fatalRec{TB: t}
	s.CatchUp(r)
	t.Logf("CatchUp while paused: %s", r.msg)
	mustExec(t, sdb, "SELECT pg_wal_replay_resume()")
	s.CatchUp(t)
	mustExec(t, db, "DROP TABLE zz")
}
