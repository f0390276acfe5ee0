package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
)

// masterStatus reads SHOW MASTER STATUS (4 columns on MariaDB, 5 on MySQL 8).
func masterStatus(t *testing.T, db *sql.DB) mysql.Position {
	t.Helper()
	rows, err := db.Query("SHOW MASTER STATUS")
	if err != nil {
		t.Fatalf("SHOW MASTER STATUS: %v", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if !rows.Next() {
		t.Fatal("SHOW MASTER STATUS: no row; is log_bin on?")
	}
	vals := make([]any, len(cols))
	var pos mysql.Position
	vals[0], vals[1] = &pos.Name, &pos.Pos
	for i := 2; i < len(vals); i++ {
		vals[i] = new(sql.RawBytes)
	}
	if err := rows.Scan(vals...); err != nil {
		t.Fatalf("scan master status: %v", err)
	}
	return pos
}

func flavorOf(t *testing.T, db *sql.DB) string {
	t.Helper()
	var version string
	if err := db.QueryRow("SELECT VERSION()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToLower(version), "mariadb") {
		return mysql.MariaDBFlavor
	}
	return mysql.MySQLFlavor
}

func TestMySQLBinlogRowEvent(t *testing.T) {
	s := MySQLServer(t)
	name, _ := s.NewDatabase(t)
	db := openMySQL(t, s.DSN(name))
	mustExec(t, db, "CREATE TABLE events (id INT PRIMARY KEY, name VARCHAR(50))")
	pos := masterStatus(t, db)

	syncer := replication.NewBinlogSyncer(replication.BinlogSyncerConfig{
		ServerID: 100000 + rand.Uint32N(1<<20), // unique among servers and other readers
		Flavor:   flavorOf(t, db),
		Host:     s.Host, Port: uint16(s.Port),
		User: s.User, Password: s.Password,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	defer syncer.Close()
	streamer, err := syncer.StartSync(pos)
	if err != nil {
		t.Fatalf("start binlog sync at %v: %v", pos, err)
	}
	mustExec(t, db, "INSERT INTO events VALUES (42, 'answer')")

	row := waitWriteRows(t, streamer, name, "events")
	if got := fmt.Sprint(row...); got != fmt.Sprint(42, "answer") {
		t.Fatalf("binlog row = %v, want [42 answer]", row)
	}
}

// waitWriteRows reads events until a write-rows event for schema.table comes
// and returns its first row.
func waitWriteRows(t *testing.T, streamer *replication.BinlogStreamer, schema, table string) []any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		ev, err := streamer.GetEvent(ctx)
		if err != nil {
			t.Fatalf("no write-rows event for %s.%s: %v", schema, table, err)
		}
		rows, ok := ev.Event.(*replication.RowsEvent)
		if !ok || !isWriteRows(ev.Header.EventType) {
			continue
		}
		if string(rows.Table.Schema) == schema && string(rows.Table.Table) == table {
			if len(rows.Rows) != 1 {
				t.Fatalf("write-rows event has %d rows, want 1", len(rows.Rows))
			}
			return rows.Rows[0]
		}
	}
}

func isWriteRows(et replication.EventType) bool {
	switch et {
	case replication.WRITE_ROWS_EVENTv0, replication.WRITE_ROWS_EVENTv1, replication.WRITE_ROWS_EVENTv2,
		replication.MARIADB_WRITE_ROWS_COMPRESSED_EVENT_V1:
		return true
	}
	return false
}
