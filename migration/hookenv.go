package migration

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/hooks"
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

// endHooks runs on-success or on-failure; their failures are only logged.
func (m *Migration) endHooks(err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err == nil {
		_ = m.hooks.Run(ctx, hooks.OnSuccess, nil)
		return
	}
	_ = m.hooks.Run(ctx, hooks.OnFailure, map[string]string{"ERROR": err.Error()})
}

// listen binds the control socket before anything changes, so a busy socket
// refuses the run.
func (m *Migration) listen() error {
	if m.cfg.ServeSocketFile == "" && m.cfg.ServeTCPPort == 0 {
		return nil
	}
	srv, err := control.Listen(control.Options{SocketPath: m.cfg.ServeSocketFile, TCPPort: m.cfg.ServeTCPPort,
		Table: m.cfg.Table, ForceNamedCutOver: m.cfg.ForceNamedCutOver, ForceNamedPanic: m.cfg.ForceNamedPanic,
		BeforeCommand: m.vetCommand, Log: m.cfg.Log}, m)
	if err != nil {
		return &Refused{Err: err}
	}
	m.control = srv
	return nil
}

// vetCommand runs the on-interactive-command hook before a socket command; a
// failing hook refuses the command, as in gh-ost.
func (m *Migration) vetCommand(line string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second) // inside the socket's 5 s deadline
	defer cancel()
	return m.hooks.Run(ctx, hooks.OnInteractiveCommand, map[string]string{"COMMAND": line})
}

// ControlAddr is the TCP address of the control server, "" without one.
func (m *Migration) ControlAddr() string {
	if m.control == nil {
		return ""
	}
	return m.control.TCPAddr()
}
