package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// RequiredGrants is what the README documents: the statements a DBA runs to
// give the hotswap user what it needs.
var RequiredGrants = []string{
	"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, LOCK TABLES ON <db>.* TO 'hotswap'@'%'",
	"GRANT REPLICATION SLAVE, REPLICATION CLIENT, PROCESS ON *.* TO 'hotswap'@'%'",
}

// currentGrantee is the current account in information_schema's GRANTEE
// format; without the filter, a user who can read the mysql schema sees
// every account's privileges.
const currentGrantee = "CONCAT(\"'\", SUBSTRING_INDEX(CURRENT_USER(), '@', 1), \"'@'\", SUBSTRING_INDEX(CURRENT_USER(), '@', -1), \"'\")"

var schemaPrivileges = []string{"SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "INDEX", "LOCK TABLES"}

// globalPrivileges lists each needed global privilege with the names servers
// report it under (MariaDB 10.5+ renamed REPLICATION CLIENT to BINLOG MONITOR).
var globalPrivileges = [][]string{
	{"REPLICATION SLAVE", "REPLICATION REPLICA"},
	{"REPLICATION CLIENT", "BINLOG MONITOR"},
}

// CheckPrivileges lists every privilege the current user lacks on database db.
func CheckPrivileges(ctx context.Context, db *sql.DB, database string) error {
	global, err := grantedSet(ctx, db, "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = "+currentGrantee)
	if err != nil {
		return err
	}
	onSchema, err := grantedSet(ctx, db, "SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = "+currentGrantee+
		" AND ? LIKE TABLE_SCHEMA", database)
	if err != nil {
		return err
	}
	return missingPrivileges(global, onSchema, database)
}

// missingPrivileges names what the user lacks, from the privileges granted
// globally and on the database, with the GRANT statements a DBA runs to fix
// it; nil when nothing is missing.
func missingPrivileges(global, onSchema map[string]bool, database string) error {
	var onDB, onAll []string
	for _, p := range schemaPrivileges {
		if !global[p] && !onSchema[p] {
			onDB = append(onDB, p)
		}
	}
	for _, names := range globalPrivileges {
		if !anyOf(global, names) {
			onAll = append(onAll, names[0])
		}
	}
	var missing, fix []string
	if len(onDB) > 0 {
		missing = append(missing, strings.Join(onDB, ", ")+" ON "+Quote(database)+".*")
		fix = append(fix, "GRANT "+strings.Join(onDB, ", ")+" ON "+Quote(database)+".* TO <user>;")
	}
	if len(onAll) > 0 {
		missing = append(missing, strings.Join(onAll, ", ")+" ON *.*")
		fix = append(fix, "GRANT "+strings.Join(onAll, ", ")+" ON *.* TO <user>;")
	}
	if len(missing) > 0 {
		return fmt.Errorf("the user lacks privileges: %s; grant them: %s", strings.Join(missing, "; "), strings.Join(fix, " "))
	}
	return nil
}

func grantedSet(ctx context.Context, db *sql.DB, query string, args ...any) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read privileges: %w", err)
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("read privileges: %w", err)
		}
		set[strings.ToUpper(p)] = true
	}
	return set, rows.Err()
}

func anyOf(set map[string]bool, names []string) bool {
	for _, n := range names {
		if set[n] {
			return true
		}
	}
	return false
}
