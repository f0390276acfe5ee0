package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// transientError is a statement the server rolled back only because of a
// concurrent transaction: a deadlock (a resync and a copy chunk inserting
// overlapping keys in different orders, or either against an application
// transaction) or a serialization failure. Its Busy() tells the copier and
// the applier to run the same work again.
type transientError struct{ err error }

func (e transientError) Error() string { return e.err.Error() + " (transient: retried)" }
func (e transientError) Unwrap() error { return e.err }
func (e transientError) Busy() bool    { return true }

// retryable marks deadlocks and serialization failures as transient.
func retryable(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001") {
		return transientError{err: err}
	}
	return err
}
