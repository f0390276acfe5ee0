package mysql

import (
	"strings"
	"testing"
)

func granted(names ...string) map[string]bool {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	return set
}

// TestMissingPrivilegesSQL: what is missing, on the database or globally, is
// named with the GRANT statements that fix it; a privilege granted globally
// covers the database, and MariaDB's names for the replication privileges
// count.
func TestMissingPrivilegesSQL(t *testing.T) {
	all := append([]string{"REPLICATION SLAVE", "REPLICATION CLIENT"}, schemaPrivileges...)
	for _, c := range []struct {
		name             string
		global, onSchema map[string]bool
		database, want   string
	}{
		{"nothing granted", granted(), granted(), "db",
			"the user lacks privileges: SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, LOCK TABLES ON `db`.*; " +
				"REPLICATION SLAVE, REPLICATION CLIENT ON *.*; grant them: " +
				"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, LOCK TABLES ON `db`.* TO <user>; " +
				"GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO <user>;"},
		{"all granted globally", granted(all...), granted(), "db", ""},
		{"MariaDB names, schema privileges on the database", granted("REPLICATION REPLICA", "BINLOG MONITOR"),
			granted(schemaPrivileges...), "db", ""},
		{"one missing on a hostile database name", granted("REPLICATION SLAVE", "BINLOG MONITOR"),
			granted("SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "LOCK TABLES"), "my`db",
			"the user lacks privileges: INDEX ON `my``db`.*; grant them: GRANT INDEX ON `my``db`.* TO <user>;"},
		{"only a global one missing", granted("REPLICATION SLAVE"), granted(schemaPrivileges...), "db",
			"the user lacks privileges: REPLICATION CLIENT ON *.*; grant them: GRANT REPLICATION CLIENT ON *.* TO <user>;"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ""
			if err := missingPrivileges(c.global, c.onSchema, c.database); err != nil {
				got = err.Error()
			}
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestRequiredGrantsSQL: the documented GRANT statements give every
// privilege CheckPrivileges asks for.
func TestRequiredGrantsSQL(t *testing.T) {
	for _, p := range schemaPrivileges {
		if !strings.Contains(RequiredGrants[0], " "+p+",") && !strings.Contains(RequiredGrants[0], " "+p+" ON ") {
			t.Errorf("%s is checked on the database but not in %q", p, RequiredGrants[0])
		}
	}
	for _, names := range globalPrivileges {
		if !strings.Contains(RequiredGrants[1], names[0]) {
			t.Errorf("%s is checked globally but not in %q", names[0], RequiredGrants[1])
		}
	}
}
