package cutover

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/dialect/postgres"
)

// commitCheckTimeout bounds the wait for a lost cut-over session to end.
const commitCheckTimeout = 30 * time.Second

// commit ends the cut-over. A COMMIT the server answered with an error or
// ROLLBACK changed nothing. One that got no answer may have run: the
// session is closed, and once the server process is gone the transaction
// is settled and the old table tells which way.
func (p *PostgresSet) commit(ctx context.Context, conn *sql.Conn, pid int) error {
	err := postgres.CommitCutOver(ctx, conn)
	if err == nil {
		return nil
	}
	if postgres.CommitRolledBack(err) {
		return fmt.Errorf("cut-over of %s rolled back, nothing changed: %w", p.names(), err)
	}
	discardPGConn(conn)
	committed, checkErr := p.committedAnyway(pid)
	switch {
	case checkErr != nil:
		return fmt.Errorf("cut-over of %s: outcome unknown, see whether %s exists (it does if the swap committed): %w",
			p.names(), p.Tables[0].Old, errors.Join(err, checkErr))
	case committed:
		return nil
	}
	return fmt.Errorf("cut-over of %s rolled back, nothing changed: %w", p.names(), err)
}

// committedAnyway waits for session pid to end, then reports whether the
// first table's Old exists: Attempt fails before COMMIT when it already
// does, and the transaction made every table's or none.
func (p *PostgresSet) committedAnyway(pid int) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commitCheckTimeout)
	defer cancel()
	for {
		ended, err := postgres.SessionEnded(ctx, p.DB, pid)
		if err != nil {
			return false, err
		}
		if ended {
			return postgres.OldTableExists(ctx, p.DB, p.Schema, p.Tables[0].Old)
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("session %d still there after %s", pid, commitCheckTimeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
