package workload

import (
	"errors"
	"fmt"
	"time"
)

// Options configures a Workload. Zero values select the documented defaults.
type Options struct {
	Workers        int     // concurrent writer goroutines (default 4)
	Seed           int64   // all randomness derives from it (print it on failure)
	KeySpace       int64   // ids are drawn from [1, KeySpace] (default 2*initial rows + 1000)
	Rate           int     // max transactions/s overall, 0 = as fast as possible
	MaxTxRows      int     // multi-row transactions up to this many statements (default 4)
	RollbackRatio  float64 // fraction of transactions deliberately rolled back (default 0.05)
	KeyChangeRatio float64 // fraction of updates that change the row key (default 0.05)
	BigValueRatio  float64 // fraction of BLOB/TEXT writes over 1 MB, 8 kB..1 MB on PostgreSQL (default 0.01; negative disables)
	Table          string  // "table" or "schema.table"; default schema: the connection's DATABASE() or current_schema()

	// StopGrace is how long Stop lets in-flight transactions finish before
	// cancelling them (default 5s). Cancelling is a last resort: a commit
	// cut short leaves its keys "uncertain" and is reported as an error.
	StopGrace time.Duration
}

// Default values, exported so tests can reason about them.
const (
	DefaultWorkers        = 4
	DefaultMaxTxRows      = 4
	DefaultRollbackRatio  = 0.05
	DefaultKeyChangeRatio = 0.05
	DefaultBigValueRatio  = 0.01
	DefaultStopGrace      = 5 * time.Second
)

// withDefaults fills in zero fields. A ratio cannot distinguish "unset" from
// "zero", so zero means default and a negative ratio means "never".
func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.MaxTxRows <= 0 {
		o.MaxTxRows = DefaultMaxTxRows
	}
	o.RollbackRatio = ratioDefault(o.RollbackRatio, DefaultRollbackRatio)
	o.KeyChangeRatio = ratioDefault(o.KeyChangeRatio, DefaultKeyChangeRatio)
	o.BigValueRatio = ratioDefault(o.BigValueRatio, DefaultBigValueRatio)
	if o.StopGrace <= 0 {
		o.StopGrace = DefaultStopGrace
	}
	return o
}

func ratioDefault(v, def float64) float64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

func (o Options) validate() error {
	if o.Table == "" {
		return errors.New("workload: Options.Table is empty")
	}
	if o.KeySpace < 0 {
		return fmt.Errorf("workload: negative KeySpace %d", o.KeySpace)
	}
	if o.Rate < 0 {
		return fmt.Errorf("workload: negative Rate %d", o.Rate)
	}
	for name, r := range map[string]float64{"RollbackRatio": o.RollbackRatio,
		"KeyChangeRatio": o.KeyChangeRatio, "BigValueRatio": o.BigValueRatio} {
		if r > 1 {
			return fmt.Errorf("workload: %s %v > 1", name, r)
		}
	}
	return nil
}
