package migration

import "github.com/hotswap/hotswap/job"

// Refused is an error found before anything was changed (exit status 2): the
// one kind every run shares (job.Refused).
type Refused = job.Refused

func refuse(format string, args ...any) error { return job.Refuse(format, args...) }

// IsRefused says whether err stopped the run before any change.
func IsRefused(err error) bool { return job.IsRefused(err) }
