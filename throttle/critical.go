package throttle

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// criticalCheck reads SHOW GLOBAL STATUS for max-load and critical-load, and
// aborts Run (through cancel) when critical-load is reached.
type criticalCheck struct {
	t       *Throttler
	cancel  context.CancelCauseFunc
	pending time.Time // re-check critical-load at this time; zero: none pending
}

func (c *criticalCheck) collect(ctx context.Context) {
	t := c.t
	v := t.settings.snapshot()
	var names []string
	for _, th := range slices.Concat(v.maxLoad, v.criticalLoad) {
		if !slices.Contains(names, th.Variable) {
			names = append(names, th.Variable)
		}
	}
	if len(names) == 0 {
		c.pending = time.Time{}
		t.mu.Lock()
		t.status = statusResult{}
		t.mu.Unlock()
		return
	}
	cctx, cancel := context.WithTimeout(ctx, sqlTimeout)
	defer cancel()
	values, err := t.cfg.SQL.Load(cctx, t.cfg.Primary, names)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		err = fmt.Errorf("read load on the primary: %w", err)
	}
	t.mu.Lock()
	t.status = statusResult{values: values, err: err}
	t.mu.Unlock()
	t.noteErr("load", err)
	if err != nil {
		return
	}
	var over *CriticalLoadError
	for _, th := range v.criticalLoad {
		if got := values[th.Variable]; got >= th.Value {
			over = &CriticalLoadError{Variable: th.Variable, Value: got, Threshold: th.Value, Interval: v.criticalLoadInterval}
			break
		}
	}
	now := time.Now()
	switch {
	case over == nil:
		if !c.pending.IsZero() {
			t.log.Info().Msg("critical-load no longer reached at the re-check; going on")
			c.pending = time.Time{}
		}
	case v.criticalLoadInterval == 0 || (!c.pending.IsZero() && !now.Before(c.pending)):
		t.log.Error().Str("variable", over.Variable).Int64("value", over.Value).Int64("threshold", over.Threshold).
			Msg("critical-load reached: aborting")
		c.cancel(over)
	case c.pending.IsZero():
		c.pending = now.Add(v.criticalLoadInterval)
		t.log.Warn().Str("variable", over.Variable).Int64("value", over.Value).Int64("threshold", over.Threshold).
			Dur("recheck_in", v.criticalLoadInterval).Msg("critical-load reached: re-checking before aborting")
	}
}
