package engine

import (
	"context"
	"sort"
	"sync"

	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/hotswap/hotswap/job"
)

// Kinds of server an engine package registers for.
const (
	MySQL    = "mysql" // MySQL and MariaDB
	Postgres = "postgres"
)

// Driver is what an engine package registers: how to build its Engine, and
// what the runner asks of a server without a run (is it up, did an error
// come from a lost connection).
type Driver struct {
	New         func(Spec) Engine
	NewBackfill func(BackfillSpec) Backfill
	Ping        func(ctx context.Context, conn dbconn.Config) error
	// ConnectionLost says whether err is the driver's way of saying the
	// server went away (a restart, sessions ended by an administrator).
	ConnectionLost func(err error) bool
	// OpenDatabase opens a target database of versioned migrations.
	OpenDatabase func(ctx context.Context, conn dbconn.Config, schema string) (Database, error)
	// Split and ParseAlterTable read statements as the engine's own client
	// would, without a server (Database's methods of the same names).
	Split           func(sql string) ([]Statement, error)
	ParseAlterTable func(stmt string) (schema, table, clauses string, ok bool)
	// Inventory lists the runs live or left in conn's database (PostgreSQL:
	// in schema, "" for all), changing nothing (`hotswap status`).
	Inventory func(ctx context.Context, conn dbconn.Config, schema string) ([]RunInfo, error)
}

var (
	mu      sync.RWMutex
	drivers = map[string]Driver{}
)

// Register makes a kind of server available; engine packages call it from
// init, so a binary links the engines it imports (as database/sql drivers).
func Register(kind string, d Driver) {
	mu.Lock()
	defer mu.Unlock()
	drivers[kind] = d
}

// lookup finds kind's driver; "" is MySQL, the default kind.
func lookup(kind string) (Driver, error) {
	if kind == "" {
		kind = MySQL
	}
	mu.RLock()
	defer mu.RUnlock()
	if d, ok := drivers[kind]; ok {
		return d, nil
	}
	known := make([]string, 0, len(drivers))
	for k := range drivers {
		known = append(known, k)
	}
	sort.Strings(known)
	return Driver{}, job.Refuse("no engine %q in this build (it has %v): import its package, e.g. github.com/hotswap/hotswap/engine/%s", kind, known, kind)
}

// New builds kind's engine for spec; a kind not linked in is refused,
// naming the package to import.
func New(kind string, spec Spec) (Engine, error) {
	d, err := lookup(kind)
	if err != nil {
		return nil, err
	}
	return d.New(spec), nil
}

// Ping opens a connection to the server and closes it.
func Ping(ctx context.Context, kind string, conn dbconn.Config) error {
	d, err := lookup(kind)
	if err != nil {
		return err
	}
	return d.Ping(ctx, conn)
}

// Inventory lists every run of hotswap's live or left on kind's server:
// in conn's database, and on PostgreSQL in schema ("" for every schema).
// It changes nothing on the server.
func Inventory(ctx context.Context, kind string, conn dbconn.Config, schema string) ([]RunInfo, error) {
	d, err := lookup(kind)
	if err != nil {
		return nil, err
	}
	if d.Inventory == nil {
		return nil, job.Refuse("the %s engine cannot list its runs", kind)
	}
	runs, err := d.Inventory(ctx, conn, schema)
	sortRuns(runs)
	return runs, err
}

// driverSaysLost says whether any registered driver reads err as a lost
// connection.
func driverSaysLost(err error) bool {
	mu.RLock()
	defer mu.RUnlock()
	for _, d := range drivers {
		if d.ConnectionLost != nil && d.ConnectionLost(err) {
			return true
		}
	}
	return false
}
