// Package job holds what every kind of run (alter, backfill, and the coming
// revert and migrate) shares: how a run says it refused (exit status 2), and
// Runner, around each kind's own work (state, hooks, control socket,
// panic, background tasks, progress, periodic checkpoints).
package job

import (
	"errors"
	"fmt"
)

// Refused is an error found before anything was changed: the command exits
// with status 2 and the database is as it was.
type Refused struct{ Err error }

func (r *Refused) Error() string { return r.Err.Error() }
func (r *Refused) Unwrap() error { return r.Err }

// Refuse makes a Refused error from a message.
func Refuse(format string, args ...any) error {
	return &Refused{Err: fmt.Errorf(format, args...)}
}

// IsRefused says whether err stopped the run before any change, however
// deeply it is wrapped.
func IsRefused(err error) bool {
	var r *Refused
	return errors.As(err, &r)
}
