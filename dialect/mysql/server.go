package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Server is what hotswap learned about the server at start, by asking it.
type Server struct {
	Version   string
	MariaDB   bool   // decides the binlog protocol flavor only
	ShareLock string // locking-read clause that does not wait, or waits when NOWAIT is unsupported
	NoWait    bool
}

// Probe reads the version and detects which locking-read syntax the server accepts.
func Probe(ctx context.Context, db *sql.DB) (*Server, error) {
	s := &Server{}
	if err := db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&s.Version); err != nil {
		return nil, fmt.Errorf("read server version: %w", err)
	}
	s.MariaDB = strings.Contains(strings.ToLower(s.Version), "mariadb")
	for _, clause := range []string{"FOR SHARE NOWAIT", "LOCK IN SHARE MODE NOWAIT"} {
		if _, err := db.ExecContext(ctx, "SELECT 1 FROM DUAL WHERE 1=0 "+clause); err == nil {
			s.ShareLock, s.NoWait = clause, true
			return s, nil
		}
	}
	s.ShareLock = "LOCK IN SHARE MODE"
	return s, nil
}

// CheckBinlog refuses servers whose binlog cannot feed the change stream.
func CheckBinlog(ctx context.Context, db *sql.DB) error {
	want := []struct{ name, value, fix string }{
		{"log_bin", "ON", "start the server with --log-bin (and a --server-id)"},
		{"binlog_format", "ROW", "SET GLOBAL binlog_format = 'ROW' (and in the server config)"},
		{"binlog_row_image", "FULL", "SET GLOBAL binlog_row_image = 'FULL' (and in the server config)"},
	}
	for _, w := range want {
		var got string
		err := db.QueryRowContext(ctx, "SELECT @@GLOBAL."+w.name).Scan(&got)
		if err != nil {
			return fmt.Errorf("read @@%s: %w", w.name, err)
		}
		if named, ok := map[string]string{"1": "ON", "0": "OFF"}[got]; ok { // booleans read back as 1/0
			got = named
		}
		if !strings.EqualFold(got, w.value) {
			return fmt.Errorf("server setting %s is %q, hotswap needs %s: %s", w.name, got, w.value, w.fix)
		}
	}
	return nil
}

// BinlogPos is a position in the binary log.
type BinlogPos struct {
	File string
	Pos  uint32
}

// Less orders positions (binlog file names sort by their sequence number).
func (p BinlogPos) Less(o BinlogPos) bool {
	if p.File != o.File {
		return p.File < o.File
	}
	return p.Pos < o.Pos
}

func (p BinlogPos) String() string { return fmt.Sprintf("%s:%d", p.File, p.Pos) }

// MasterPos reads the current end of the binary log.
func MasterPos(ctx context.Context, q Querier) (BinlogPos, error) {
	rows, err := q.QueryContext(ctx, "SHOW MASTER STATUS")
	if err != nil {
		return BinlogPos{}, fmt.Errorf("SHOW MASTER STATUS: %w", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if !rows.Next() {
		return BinlogPos{}, fmt.Errorf("SHOW MASTER STATUS returned nothing: is log_bin on?")
	}
	vals := make([]any, len(cols))
	var p BinlogPos
	vals[0], vals[1] = &p.File, &p.Pos
	for i := 2; i < len(vals); i++ {
		vals[i] = new(sql.RawBytes)
	}
	if err := rows.Scan(vals...); err != nil {
		return BinlogPos{}, fmt.Errorf("scan SHOW MASTER STATUS: %w", err)
	}
	return p, rows.Err()
}

// Querier is a pool, a connection or a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ParseBinlogPos reads a position as BinlogPos.String prints it.
func ParseBinlogPos(s string) (BinlogPos, error) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return BinlogPos{}, fmt.Errorf("binlog position %q: want file:position", s)
	}
	n, err := strconv.ParseUint(s[i+1:], 10, 32)
	if err != nil {
		return BinlogPos{}, fmt.Errorf("binlog position %q: %w", s, err)
	}
	return BinlogPos{File: s[:i], Pos: uint32(n)}, nil
}

// BinlogExists says whether the server still has the binary log file (a
// resume needs every file from its checkpoint on).
func BinlogExists(ctx context.Context, q Querier, file string) (bool, error) {
	logs, err := binaryLogs(ctx, q)
	return slices.Contains(logs, file), err
}

// OldestBinlog is the oldest binary log the server still holds.
func OldestBinlog(ctx context.Context, q Querier) (string, error) {
	logs, err := binaryLogs(ctx, q)
	if err != nil || len(logs) == 0 {
		return "", err
	}
	return logs[0], nil
}

// binaryLogs lists the server's binary logs, oldest first.
func binaryLogs(ctx context.Context, q Querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SHOW BINARY LOGS")
	if err != nil {
		return nil, fmt.Errorf("SHOW BINARY LOGS: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		var name string
		vals[0] = &name
		for i := 1; i < len(vals); i++ {
			vals[i] = new(sql.RawBytes)
		}
		if err := rows.Scan(vals...); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, rows.Err()
}
