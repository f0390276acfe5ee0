package migration

import (
	"errors"
	"fmt"
)

// Refused is an error found before anything was changed (exit status 2).
type Refused struct{ Err error }

func (r *Refused) Error() string { return r.Err.Error() }
func (r *Refused) Unwrap() error { return r.Err }

func refuse(format string, args ...any) error {
	return &Refused{Err: fmt.Errorf(format, args...)}
}

// IsRefused says whether err stopped the run before any change.
func IsRefused(err error) bool {
	var r *Refused
	return errors.As(err, &r)
}
