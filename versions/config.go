package versions

import (
	"io"

	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/hotswap/hotswap/migration"
	"github.com/rs/zerolog"
)

// Config is one hotswap migrate command's settings.
type Config struct {
	Engine string
	Conn   dbconn.Config
	Schema string // PostgreSQL: the schema of the history table and of unqualified names; "" is public
	Dir    string
	// To stops up after this version (0: the last); Steps is how many
	// versions down undoes (default 1).
	To    uint64
	Steps int
	// OnlineRows: an ALTER TABLE of a table with at least this many rows
	// (the server's estimate) runs online; a smaller one runs directly.
	OnlineRows  int64
	OnlineBytes int64 // or of at least this size (data and indexes)
	// Online is the template of an online statement's run: throttling,
	// threads, control socket, lock timeouts (package migration's flags).
	Online migration.Config
	// AllowUnsafe runs up despite the lint's findings (lint.go).
	AllowUnsafe bool
	// Hotswap is hotswap's version, recorded with each version applied.
	Hotswap string

	Log zerolog.Logger
	Out io.Writer
}

// Defaults of OnlineRows and OnlineBytes: below them a copy is not worth
// its setup, and a blocking ALTER holds the table for a second or so.
const (
	DefaultOnlineRows  = 100_000
	DefaultOnlineBytes = 64 << 20
)

func (c *Config) defaults() {
	if c.OnlineRows <= 0 {
		c.OnlineRows = DefaultOnlineRows
	}
	if c.OnlineBytes <= 0 {
		c.OnlineBytes = DefaultOnlineBytes
	}
	if c.Steps <= 0 {
		c.Steps = 1
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	switch {
	case c.Engine == migration.EnginePostgres && c.Schema == "":
		c.Schema = "public"
	case c.Engine != migration.EnginePostgres:
		c.Schema = "" // a PostgreSQL flag (the CLI's default "public"): MySQL's names resolve in Conn.Database
	}
}
