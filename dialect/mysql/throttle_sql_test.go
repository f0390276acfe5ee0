package mysql

import "testing"

// TestGlobalStatusSQL: the counters' names are written in as literals, in
// the order given; a name that could end the literal is refused.
func TestGlobalStatusSQL(t *testing.T) {
	for _, c := range []struct {
		name  string
		names []string
		want  string
	}{
		{"one", []string{"Threads_running"}, "SHOW GLOBAL STATUS WHERE Variable_name IN ('Threads_running')"},
		{"two", []string{"Threads_running", "Innodb_row_lock_current_waits"},
			"SHOW GLOBAL STATUS WHERE Variable_name IN ('Threads_running', 'Innodb_row_lock_current_waits')"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := globalStatusSQL(c.names)
			if err != nil || got != c.want {
				t.Errorf("got %s, %v\nwant %s", got, err, c.want)
			}
		})
	}
	for _, bad := range []string{"x' OR '1'='1", "Threads running", "Threads_running;"} {
		if got, err := globalStatusSQL([]string{"Threads_running", bad}); err == nil {
			t.Errorf("name %q accepted: %s", bad, got)
		}
	}
}

// TestHeartbeatSQL: the heartbeat is row 1 of a table in the throttle's
// database; the upsert binds the sequence number for the insert and the update.
func TestHeartbeatSQL(t *testing.T) {
	th := Throttle{Database: "my`db"}
	if got, want := th.createHeartbeatSQL("_t_hb"),
		"CREATE TABLE `my``db`.`_t_hb` (id TINYINT UNSIGNED NOT NULL PRIMARY KEY, seq BIGINT NOT NULL) "+
			"ENGINE=InnoDB COMMENT='hotswap throttle heartbeat: safe to drop when no hotswap runs'"; got != want {
		t.Errorf("create\ngot  %s\nwant %s", got, want)
	}
	query, args := th.writeHeartbeatSQL("_t_hb", 17)
	assertSQL(t, query, args, "INSERT INTO `my``db`.`_t_hb` (id, seq) VALUES (1, ?) ON DUPLICATE KEY UPDATE seq = ?", []any{int64(17), int64(17)})
	if got, want := th.readHeartbeatSQL("_t_hb"), "SELECT seq FROM `my``db`.`_t_hb` WHERE id = 1"; got != want {
		t.Errorf("read\ngot  %s\nwant %s", got, want)
	}
}
