package cutover

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hotswap/hotswap/dialect/postgres"
)

// ErrBoundObjects: objects that refer to the table by OID (views, foreign
// keys, triggers, ...; see postgres.Objects) exist, and a rename swap would
// leave them with the old table. Retrying does not help.
var ErrBoundObjects = errors.New("objects bound to the table would stay with the old table")

// Postgres is the cut-over for PostgreSQL, where DDL is transactional: one
// transaction on one connection A does it all, and either everything happens
// at COMMIT or nothing does.
//
//  1. LOCK TABLE t IN ACCESS EXCLUSIVE MODE, waiting at most LockTimeout:
//     while the request waits every later reader queues behind it, so it
//     gives up early and the caller retries. With KillBlockersAfter, the
//     sessions in its way are cancelled, then terminated, while the request
//     is queued: nobody can slip in between the kill and the lock. A vacuum
//     holding the table (most likely an autovacuum, which PostgreSQL cancels
//     for the lock once it has waited deadlock_timeout) is outwaited once.
//  2. From then on the lock is held for at most LockTimeout (a context for
//     the work, statement_timeout and idle_in_transaction_session_timeout on
//     the server in case the client is lost).
//  3. LOCK TABLE shadow: nothing but A writes it until the swap.
//  4. Objects bound to t by OID are looked for again: one created since
//     preflight would be left with the old table.
//  5. CatchUp on A, then the statements of postgres.SwapSQL (SwapBackSQL
//     for a revert), then COMMIT.
//
// Sessions queued on t during the cut-over resolved its name before it
// changed; when COMMIT releases the lock, PostgreSQL sees the catalog changed
// and resolves the name again, so their reads and writes go to the new table.
type Postgres struct {
	DB                         *sql.DB // pgx stdlib; the cut-over uses two connections at once
	Schema, Table, Shadow, Old string  // Old: e.g. "_t_old", must not exist
	LockTimeout                time.Duration
	// Applier is paused for the whole attempt; nil: nothing to pause.
	Applier Pauser
	// KillBlockersAfter: 0 never; else, once the cut-over's lock requests
	// (over all Attempts of this value) have waited this long, the sessions
	// blocking the lock are cancelled, and terminated if they still block
	// after min(KillBlockersAfter, 1s): a cancel stops a running statement,
	// but not a session idle in its transaction.
	KillBlockersAfter time.Duration
	// CatchUp runs inside the cut-over transaction while the table is
	// locked: it drains the stream to an LSN it reads itself (on another
	// connection: postgres.CurrentLSN must be called outside a transaction;
	// every write to the table committed before the lock is before that LSN)
	// and resyncs the last keys on lock, the connection holding the lock,
	// inside the transaction. It must not BEGIN, COMMIT or ROLLBACK. Its
	// context ends when the lock has been held for LockTimeout.
	CatchUp func(ctx context.Context, lock *sql.Conn) error
	// Back: this cut-over reverts an earlier one (a revert window): Shadow
	// is the old table that one kept, Table the shadow it put in place, and
	// the names go back as they were (postgres.SwapBackSQL).
	Back bool
	// Dependents: see PostgresTable.
	Dependents *postgres.Dependents

	set *PostgresSet // built by the first Attempt; keeps the lock waits of all
}

// Attempt runs one cut-over. On any error it has rolled back and the tables
// are as they were (the one exception says "outcome unknown": the COMMIT got
// no answer and the check that followed failed); the caller may retry, with
// back-off, unless the error is ErrBoundObjects. A lock timeout is an error
// postgres.IsLockTimeout reports.
func (p *Postgres) Attempt(ctx context.Context) error {
	if p.set == nil {
		p.set = &PostgresSet{DB: p.DB, Schema: p.Schema, LockTimeout: p.LockTimeout, KillBlockersAfter: p.KillBlockersAfter, Back: p.Back,
			Tables: []PostgresTable{{Table: p.Table, Shadow: p.Shadow, Old: p.Old, Applier: p.Applier, CatchUp: p.CatchUp, Dependents: p.Dependents}}}
	}
	return p.set.Attempt(ctx)
}

// PostgresSet swaps several tables of one schema in one transaction: the
// steps above for each table in turn (each table locked, then each caught
// up and swapped), one COMMIT for all. Writers of every table wait from its
// lock to the COMMIT; the lock waits share LockTimeout, and so does the
// hold after them.
type PostgresSet struct {
	DB                *sql.DB
	Schema            string
	Tables            []PostgresTable
	LockTimeout       time.Duration
	KillBlockersAfter time.Duration // as Postgres's
	Back              bool          // as Postgres's

	lockWaited time.Duration // lock waits of earlier Attempts
}

// PostgresTable is one table of a PostgresSet.
type PostgresTable struct {
	Table, Shadow, Old string
	Applier            Pauser
	CatchUp            func(ctx context.Context, lock *sql.Conn) error // as Postgres's
	// Dependents are carried to the new table (postgres.DependentsSQL);
	// the tables they relate it to are locked with it. Nil: foreign keys
	// and triggers are refused as any other object bound to the table.
	Dependents *postgres.Dependents
}

// Attempt runs one cut-over of every table: all swap, or none (see
// Postgres.Attempt).
func (p *PostgresSet) Attempt(ctx context.Context) error {
	if err := p.validate(); err != nil {
		return err
	}
	for _, t := range p.Tables {
		defer pause(t.Applier)()
	}
	conn, err := p.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("cut-over connection: %w", err)
	}
	defer discardPGConn(conn)
	pid, err := postgres.BackendPID(ctx, conn)
	if err != nil {
		return err
	}
	if err := postgres.BeginCutOver(ctx, conn); err != nil {
		return err
	}
	if err := p.inTransaction(ctx, conn, pid); err != nil {
		return p.rollBack(conn, err)
	}
	return p.commit(ctx, conn, pid)
}

func (p *PostgresSet) validate() error {
	switch {
	case p.DB == nil || len(p.Tables) == 0:
		return errors.New("cut-over: DB and Tables are required")
	case p.LockTimeout <= 0:
		return errors.New("cut-over: LockTimeout must be positive (none would let the lock request, and every reader behind it, wait forever)")
	}
	for _, t := range p.Tables {
		if p.Schema == "" || t.Table == "" || t.Shadow == "" || t.Old == "" || t.CatchUp == nil {
			return errors.New("cut-over: Schema, and each table's Table, Shadow, Old and CatchUp, are required")
		}
	}
	return nil
}

// names is the set's tables, for messages.
func (p *PostgresSet) names() string {
	out := make([]string, len(p.Tables))
	for i, t := range p.Tables {
		out[i] = p.Schema + "." + t.Table
	}
	return strings.Join(out, ", ")
}

// inTransaction is everything between BEGIN and COMMIT.
func (p *PostgresSet) inTransaction(ctx context.Context, conn *sql.Conn, pid int) error {
	if err := p.lockAll(ctx, conn, pid); err != nil {
		return err
	}
	hold, cancel := context.WithTimeout(ctx, p.LockTimeout)
	defer cancel()
	err := p.underLock(hold, conn)
	if err != nil && hold.Err() != nil && ctx.Err() == nil {
		err = fmt.Errorf("the table locks were held for their whole budget of %s: %w", p.LockTimeout, err)
	}
	return err
}

// lockAll locks every table within one LockTimeout, in rounds as
// MySQLSet.lockAll does and for the same reason (a transaction writing the
// tables in another order than a round holds one of them while it waits for
// another): one lock per round waits, the others must be free at once (or
// PostgreSQL's deadlock detector would fail this transaction anyway), and a
// round that finds one busy lets all go (ReleaseLocks) and the next round
// waits on the next table.
func (p *PostgresSet) lockAll(ctx context.Context, conn *sql.Conn, pid int) error {
	targets := p.lockTargets()
	return lockInRounds(ctx, p.LockTimeout, len(targets),
		func(first int, wait time.Duration) (string, error) {
			return p.lockRound(ctx, conn, pid, targets, first, wait)
		},
		func() error { return postgres.ReleaseLocks(ctx, conn) })
}

// lockTargets is every table the cut-over locks: the set's, then the
// tables their foreign keys relate them to (each once).
func (p *PostgresSet) lockTargets() []postgres.Rel {
	seen := map[postgres.Rel]bool{}
	var out []postgres.Rel
	add := func(r postgres.Rel) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, t := range p.Tables {
		add(postgres.Rel{Schema: p.Schema, Table: t.Table})
	}
	for _, t := range p.Tables {
		for _, r := range t.Dependents.Related(p.Schema, t.Table) {
			add(r)
		}
	}
	return out
}

// lockRound locks targets[first], waiting at most wait, then the others
// without waiting; busy names the table found in use ("" when all are
// locked).
func (p *PostgresSet) lockRound(ctx context.Context, conn *sql.Conn, pid int, targets []postgres.Rel, first int, wait time.Duration) (busy string, err error) {
	if wait <= 0 {
		return "", fmt.Errorf("lock %s.%s for the cut-over: the lock budget %s is spent", targets[first].Schema, targets[first].Table, p.LockTimeout)
	}
	if err := postgres.MarkLocks(ctx, conn); err != nil {
		return "", err
	}
	if err := p.lockTable(ctx, conn, pid, targets[first], wait); err != nil {
		return "", err
	}
	for i, t := range targets {
		if i == first {
			continue
		}
		err := postgres.LockForCutOver(ctx, conn, t.Schema, t.Table, time.Millisecond)
		switch {
		case postgres.IsLockBusy(err):
			return t.Schema + "." + t.Table, nil
		case err != nil:
			return "", err
		}
	}
	return "", nil
}

func (p *PostgresSet) underLock(ctx context.Context, conn *sql.Conn) error {
	if err := postgres.LimitCutOverHold(ctx, conn, p.LockTimeout); err != nil {
		return err
	}
	for _, t := range p.Tables {
		if err := postgres.LockForCutOver(ctx, conn, p.Schema, t.Shadow, p.LockTimeout); err != nil {
			return err
		}
		if err := p.refuseBoundObjects(ctx, conn, t); err != nil {
			return err
		}
	}
	// every statement is planned before the first rename: definitions read
	// then name the tables, which after every rename are the new ones
	var swaps, carries []string
	for _, t := range p.Tables {
		if err := t.CatchUp(ctx, conn); err != nil {
			return fmt.Errorf("catch-up of %s under the cut-over lock: %w", t.Table, err)
		}
		swap := postgres.SwapSQL
		if p.Back {
			swap = postgres.SwapBackSQL
		}
		stmts, err := swap(ctx, conn, p.Schema, t.Table, t.Shadow, t.Old)
		if err != nil {
			return err
		}
		carry, err := postgres.DependentsSQL(ctx, conn, p.Schema, t.Table, t.Old, t.Dependents, p.others(t))
		if err != nil {
			return err
		}
		swaps, carries = append(swaps, stmts...), append(carries, carry...)
	}
	for _, stmt := range append(swaps, carries...) {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("swap the tables: %s: %w", stmt, err)
		}
	}
	return nil
}

// others names the set's tables besides t: a foreign key declared on one of
// them is carried by that table (as its own), not by t (as referencing it).
func (p *PostgresSet) others(t PostgresTable) []string {
	var out []string
	for _, o := range p.Tables {
		if o.Table != t.Table {
			out = append(out, o.Table)
		}
	}
	return out
}

func (p *PostgresSet) refuseBoundObjects(ctx context.Context, conn *sql.Conn, t PostgresTable) error {
	list := postgres.Objects
	if t.Dependents != nil && !p.Back {
		list = postgres.ObjectsNotCarried
	}
	objects, err := list(ctx, conn, p.Schema, t.Table)
	if err != nil {
		return err
	}
	if len(objects) > 0 {
		return fmt.Errorf("%w: %s", ErrBoundObjects, strings.Join(objects, ", "))
	}
	return nil
}

// rollBack ends the transaction. If ROLLBACK itself fails, the connection is
// closed (discardPGConn), and a session that ends rolls back too.
func (p *PostgresSet) rollBack(conn *sql.Conn, cause error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := postgres.RollbackCutOver(ctx, conn); err != nil {
		cause = errors.Join(cause, fmt.Errorf("%w (the connection is closed instead, which rolls back too)", err))
	}
	return fmt.Errorf("cut-over of %s rolled back, nothing changed: %w", p.names(), cause)
}

// discardPGConn keeps a connection that may still be in the cut-over
// transaction from going back to the pool.
func discardPGConn(c *sql.Conn) {
	_ = c.Raw(func(any) error { return driver.ErrBadConn })
	_ = c.Close()
}
