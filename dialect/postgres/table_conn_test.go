package postgres

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func tableTestConfig(t *testing.T) Config {
	name, _, _ := appDB(t)
	p := testdb.PostgresServer(t)
	return Config{Host: p.Host, Port: p.Port, User: p.User, Password: p.Password, Database: name}
}

// TestTableOpen: hotswap's sessions are named and keep the database's own
// TimeZone, the one the user's own ALTER converts timestamps in.
func TestTableOpen(t *testing.T) {
	ctx := context.Background()
	name, _, admin := appDB(t)
	p := testdb.PostgresServer(t)
	c := Config{Host: p.Host, Port: p.Port, User: p.User, Password: p.Password, Database: name}
	if _, err := admin.Exec("ALTER DATABASE " + pgx.Identifier{name}.Sanitize() + " SET timezone = 'Asia/Kolkata'"); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var app, tz, user string
	if err := db.QueryRow("SELECT current_setting('application_name'), current_setting('TimeZone'), current_user::text").Scan(&app, &tz, &user); err != nil {
		t.Fatal(err)
	}
	if app != "hotswap" || tz != "Asia/Kolkata" || user != c.User {
		t.Fatalf("session: application_name=%q TimeZone=%q user=%q", app, tz, user)
	}

	bad := c
	bad.Password = "wrong-pw-s3cr3t"
	_, err = Open(ctx, bad)
	if err == nil || !strings.HasPrefix(err.Error(), "connect to "+c.Addr()+" as "+c.User+": ") {
		t.Fatalf("Open with a wrong password: %v", err)
	}
	if strings.Contains(err.Error(), bad.Password) {
		t.Fatalf("the error shows the password: %v", err)
	}
}

func TestTableConnString(t *testing.T) {
	c := Config{Host: "::1", Port: 5433, User: "u@x/y", Password: "p:w@d/?#%", Database: "my db"}
	if c.Addr() != "[::1]:5433" {
		t.Fatalf("Addr() = %q", c.Addr())
	}
	u, err := url.Parse(c.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	if u.User.Username() != c.User || pw != c.Password || u.Host != "[::1]:5433" || u.Path != "/my db" {
		t.Fatalf("ConnString() = %q parses as user %q password %q host %q path %q", c.ConnString(), u.User.Username(), pw, u.Host, u.Path)
	}

	// The URL is what the change stream connects with, plus replication=database.
	real := tableTestConfig(t)
	conn, err := pgconn.Connect(context.Background(), real.ConnString()+"&replication=database")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "IDENTIFY_SYSTEM").ReadAll(); err != nil {
		t.Fatalf("IDENTIFY_SYSTEM on the replication connection: %v", err)
	}
}
