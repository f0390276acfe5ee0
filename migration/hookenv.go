package migration

import (
	"fmt"
	"strconv"
)

// hookEnv is the run's state under gh-ost's variable names.
func (m *Migration) hookEnv() map[string]string {
	st := m.Status()
	return map[string]string{
		"DATABASE_NAME":    m.cfg.Conn.Database,
		"TABLE_NAME":       m.cfg.Table,
		"GHOST_TABLE_NAME": m.shadow,
		"OLD_TABLE_NAME":   m.old,
		"DDL":              m.cfg.Alter,
		"ELAPSED_SECONDS":  strconv.Itoa(int(st.ElapsedSeconds)),
		"ESTIMATED_ROWS":   strconv.FormatInt(st.RowsEstimated, 10),
		"COPIED_ROWS":      strconv.FormatInt(st.RowsCopied, 10),
		"PROGRESS":         fmt.Sprintf("%.1f", st.Progress),
		"ETA_SECONDS":      fmt.Sprintf("%.0f", st.ETASeconds),
		"INSPECTED_LAG":    fmt.Sprintf("%.3f", float64(st.ReplicaLagMS)/1000),
		"MIGRATED_HOST":    m.cfg.Conn.Host,
		"EXECUTING_HOST":   m.cfg.Conn.Host,
		"DRY_RUN":          strconv.FormatBool(!m.cfg.Execute),
		"STATE":            st.State,
	}
}
