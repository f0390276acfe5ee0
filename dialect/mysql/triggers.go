package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	driver "github.com/go-sql-driver/mysql"
)

// TriggerSuffix marks the name a trigger carries on the new table between
// the cut-over's RENAME and RestoreTriggerNames: trigger names are unique
// per database, and the old table holds the original names until then.
const TriggerSuffix = "__hotswap"

// MaxTriggerName is the longest trigger name hotswap carries: with
// TriggerSuffix it must fit MySQL's 64 characters.
const MaxTriggerName = 64 - len(TriggerSuffix)

// Trigger is a trigger as the server reports it: enough to create it again,
// on another table, with the same definer, body and session settings.
type Trigger struct {
	Name, Timing, Event, Statement string
	Definer                        string // user@host
	SQLMode, CharsetClient         string
	CollationConnection            string
}

// TempName is the name t carries on the new table until
// RestoreTriggerNames.
func (t Trigger) TempName() string { return t.Name + TriggerSuffix }

// ReadTriggers lists the table's triggers in the order they fire (per
// event and timing, ACTION_ORDER): created again in this order, they keep it.
func ReadTriggers(ctx context.Context, q Querier, database, table string) ([]Trigger, error) {
	rows, err := q.QueryContext(ctx, `SELECT TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT, DEFINER,
			SQL_MODE, CHARACTER_SET_CLIENT, COLLATION_CONNECTION
		FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ?
		ORDER BY EVENT_MANIPULATION, ACTION_TIMING, ACTION_ORDER`, database, table)
	if err != nil {
		return nil, fmt.Errorf("read the triggers of %s.%s: %w", database, table, err)
	}
	defer rows.Close()
	var out []Trigger
	for rows.Next() {
		var t Trigger
		if err := rows.Scan(&t.Name, &t.Timing, &t.Event, &t.Statement, &t.Definer, &t.SQLMode, &t.CharsetClient, &t.CollationConnection); err != nil {
			return nil, fmt.Errorf("read the triggers of %s.%s: %w", database, table, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// createTriggerSQL creates t on database.table under name.
func createTriggerSQL(database, table, name string, t Trigger) string {
	return fmt.Sprintf("CREATE DEFINER=%s TRIGGER %s %s %s ON %s FOR EACH ROW %s",
		definerSQL(t.Definer), qualified(database, name), t.Timing, t.Event, qualified(database, table), t.Statement)
}

// definerSQL quotes user@host as `user`@`host` (the user may hold an @).
func definerSQL(definer string) string {
	i := strings.LastIndex(definer, "@")
	if i < 0 {
		return Quote(definer)
	}
	return Quote(definer[:i]) + "@" + Quote(definer[i+1:])
}

// triggerSessionSQL gives the session the settings the trigger was created
// under: its body is parsed, and later runs, with them.
func triggerSessionSQL(t Trigger) (string, []any) {
	return "SET SESSION sql_mode = ?, character_set_client = ?, collation_connection = ?",
		[]any{t.SQLMode, t.CharsetClient, t.CollationConnection}
}

// CreateTriggers creates each trigger on database.table under name(t), in
// order, on a connection of its own that is discarded afterwards (it ends
// with the triggers' session settings). It stops at the first failure,
// naming the trigger; created says how many were made.
func CreateTriggers(ctx context.Context, db *sql.DB, database, table string, trgs []Trigger, name func(Trigger) string) (created int, err error) {
	if len(trgs) == 0 {
		return 0, nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer Discard(conn)
	for _, t := range trgs {
		if err := createTrigger(ctx, conn, database, table, name(t), t); err != nil {
			return created, err
		}
		created++
	}
	return created, nil
}

func createTrigger(ctx context.Context, conn *sql.Conn, database, table, name string, t Trigger) error {
	set, args := triggerSessionSQL(t)
	if _, err := conn.ExecContext(ctx, set, args...); err != nil {
		return fmt.Errorf("take the session settings of trigger %s: %w", t.Name, err)
	}
	if _, err := conn.ExecContext(ctx, createTriggerSQL(database, table, name, t)); err != nil {
		return fmt.Errorf("create trigger %s on %s.%s: %w", t.Name, database, table, err)
	}
	return nil
}

// TriggerRefusalHint says, for an error creating a trigger, what stands in
// the way and how to clear it ("" when the error says nothing known).
func TriggerRefusalHint(err error, t Trigger) string {
	var me *driver.MySQLError
	if !errors.As(err, &me) {
		return ""
	}
	switch me.Number {
	case 1054: // unknown column in NEW or OLD
		return "its body names a column the ALTER drops or renames; change or drop the trigger first"
	case 1142: // TRIGGER command denied
		return "hotswap's user needs the TRIGGER privilege to carry the table's triggers; GRANT TRIGGER ON the database to it"
	case 1419: // binary logging on, no SUPER
		return "with binary logging on, the server lets only SUPER create triggers unless log_bin_trust_function_creators is ON; set it ON (SET GLOBAL log_bin_trust_function_creators = ON) or grant SUPER"
	case 1227: // another definer
		return "its definer " + t.Definer + " is another user than hotswap's: creating it for that user needs SET USER (MariaDB 10.5+; MySQL 8: SET_USER_ID) or SUPER; grant it, or define the trigger for hotswap's user"
	}
	return ""
}

// DropTriggers drops the named triggers of database, those that exist.
func DropTriggers(ctx context.Context, q Querier, database string, names []string) error {
	var errs []error
	for _, n := range names {
		if _, err := q.ExecContext(ctx, "DROP TRIGGER IF EXISTS "+qualified(database, n)); err != nil {
			errs = append(errs, fmt.Errorf("drop trigger %s.%s: %w", database, n, err))
		}
	}
	return errors.Join(errs...)
}

// RestoreTriggerNames gives the triggers the cut-over carried to the new
// table (as TempName) their own names back: with both tables write-locked
// (lock_wait_timeout wait), each original is dropped from the old table,
// created again on the new one, and its TempName dropped, so no write to
// the new table ever finds a trigger missing or twice. It can be run again
// after a crash: what is done already is skipped.
func RestoreTriggerNames(ctx context.Context, db *sql.DB, database, table, old string, trgs []Trigger, wait time.Duration) error {
	onTable, err := triggerNames(ctx, db, database, table)
	if err != nil || len(trgs) == 0 {
		return err
	}
	oldThere, err := TableExists(ctx, db, database, old)
	if err != nil {
		return err
	}
	onOld, locks := map[string]bool{}, qualified(database, table)+" WRITE"
	if oldThere { // else dropped since (--ok-to-drop-table, by hand): its triggers went with it
		if onOld, err = triggerNames(ctx, db, database, old); err != nil {
			return err
		}
		locks += ", " + qualified(database, old) + " WRITE"
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer Discard(conn) // session settings and, on an error, the table locks
	err = WithoutWaiting(ctx, conn, wait, func() error { _, err := conn.ExecContext(ctx, "LOCK TABLES "+locks); return err })
	if err == nil {
		err = SetLockWait(ctx, conn, wait) // for the table's cached copies to close, under the lock
	}
	if err != nil {
		return fmt.Errorf("lock %s and %s to name the carried triggers: %w", table, old, err)
	}
	for _, t := range trgs {
		if err := restoreTriggerName(ctx, conn, database, table, t, onTable, onOld); err != nil {
			return err
		}
	}
	return Unlock(ctx, conn)
}

func restoreTriggerName(ctx context.Context, conn *sql.Conn, database, table string, t Trigger, onTable, onOld map[string]bool) error {
	if !onTable[t.TempName()] {
		return nil // named already, or never carried
	}
	if onOld[t.Name] {
		if err := DropTriggers(ctx, conn, database, []string{t.Name}); err != nil {
			return err
		}
	}
	if !onTable[t.Name] {
		if err := createTrigger(ctx, conn, database, table, t.Name, t); err != nil {
			return err
		}
	}
	return DropTriggers(ctx, conn, database, []string{t.TempName()})
}

// triggerNames is the set of the table's triggers' names.
func triggerNames(ctx context.Context, q Querier, database, table string) (map[string]bool, error) {
	trgs, err := ReadTriggers(ctx, q, database, table)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, t := range trgs {
		out[t.Name] = true
	}
	return out, nil
}

// CarriedTriggers lists the triggers of the table that the cut-over carried
// and RestoreTriggerNames has not named yet (TempName), with their own
// names: what a --resume that finds the swap done still has to name.
func CarriedTriggers(ctx context.Context, q Querier, database, table string) ([]Trigger, error) {
	all, err := ReadTriggers(ctx, q, database, table)
	if err != nil {
		return nil, err
	}
	var out []Trigger
	for _, t := range all {
		if name, ok := strings.CutSuffix(t.Name, TriggerSuffix); ok {
			t.Name = name
			out = append(out, t)
		}
	}
	return out, nil
}
