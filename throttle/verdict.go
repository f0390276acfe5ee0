package throttle

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"
)

// evaluate combines the latest readings into the verdict, logs a change and
// wakes waiters when the throttled state changes.
func (t *Throttler) evaluate() {
	t.evalMu.Lock()
	defer t.evalMu.Unlock()
	v := t.settings.snapshot()
	now := time.Now()
	var streamLag time.Duration
	if t.cfg.StreamLag != nil {
		streamLag = t.cfg.StreamLag()
	}
	flag := flagFileReason("flag file", v.flagFile)
	additional := flagFileReason("additional flag file", v.additionalFlagFile)

	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return
	}
	next := t.judge(v, now, streamLag, flag, additional)
	nextApply := t.judge(v, now, 0, flag, additional)
	prev, prevApply, wasReady := t.state, t.applyState, t.ready
	t.state, t.applyState, t.ready = next, nextApply, true
	if !wasReady || prev.throttled != next.throttled || prevApply.throttled != nextApply.throttled {
		close(t.changed)
		t.changed = make(chan struct{})
	}
	// One line per change of state or reason. A check just enabled is
	// waiting for its first reading (one interval): that is not logged.
	logged, first := t.logged, !t.loggedAny
	switch {
	case next.pending:
		if prev.key != next.key {
			t.log.Debug().Str("reason", next.reason).Msg("throttled until the first reading")
		}
		return
	case next.throttled && (first || !logged.throttled || logged.key != next.key):
		t.log.Info().Bool("throttled", true).Str("reason", next.reason).Msg("throttled")
		if first || !logged.throttled {
			t.loggedSince = now
		}
	case !next.throttled && first:
		t.log.Info().Bool("throttled", false).Msg("throttle checks running: not throttled")
	case !next.throttled && logged.throttled:
		t.log.Info().Bool("throttled", false).Str("was", logged.reason).Dur("throttled_for", now.Sub(t.loggedSince)).Msg("throttle lifted")
	}
	t.logged, t.loggedAny = next, true // keeps the latest reason of the same kind, for "was"
}

// judge returns the first reason to throttle, in gh-ost's order of checks.
// Called with t.mu held.
func (t *Throttler) judge(v values, now time.Time, streamLag time.Duration, flag, additional string) verdict {
	yes := func(key, reason string) verdict { return verdict{throttled: true, reason: reason, key: key} }
	wait := func(reason string) verdict {
		return verdict{throttled: true, reason: reason, key: reason, pending: true}
	}
	if t.manual {
		return yes("manual", "manual (throttle command)")
	}
	if flag != "" {
		return yes(flag, flag)
	}
	if additional != "" {
		return yes(additional, additional)
	}
	maxLagText := strconv.FormatInt(v.maxLag.Milliseconds(), 10)
	if len(v.controlReplicas) > 0 {
		if t.hbErr != nil {
			r := "heartbeat: " + t.hbErr.Error()
			return yes(r, r)
		}
		var worst time.Duration
		worstAt := ""
		for _, hp := range v.controlReplicas {
			r, ok := t.replicas[hp]
			switch {
			case !ok:
				return wait("control replica " + hp + ": no reading yet")
			case r.err != nil:
				s := "control replica " + hp + ": " + r.err.Error()
				return yes(s, s)
			}
			lag, known := t.beats.lag(now, r.seq, r.found)
			if !known {
				return wait("control replica " + hp + ": no heartbeat written yet")
			}
			if worstAt == "" || lag > worst {
				worst, worstAt = lag, hp
			}
		}
		if worst > v.maxLag {
			return yes("replica-lag "+worstAt, fmt.Sprintf("replica lag %s on %s > max-lag-millis %s", roundLag(worst, v.maxLag), worstAt, maxLagText))
		}
	}
	if streamLag > v.maxLag {
		return yes("stream-lag", fmt.Sprintf("binlog stream lag %s > max-lag-millis %s", roundLag(streamLag, v.maxLag), maxLagText))
	}
	if len(v.maxLoad) > 0 || len(v.criticalLoad) > 0 {
		if t.status.err != nil {
			s := t.status.err.Error() // "read load on the primary: ..."
			return yes(s, s)
		}
		for _, th := range v.maxLoad {
			got, ok := t.status.values[th.Variable]
			if !ok {
				return wait("max-load: no reading of " + th.Variable + " yet")
			}
			if got >= th.Value {
				return yes("max-load "+th.Variable, fmt.Sprintf("max-load %s=%d >= %d", th.Variable, got, th.Value))
			}
		}
	}
	if v.throttleQuery != "" {
		switch q := t.query; {
		case q.query != v.throttleQuery:
			return wait("throttle-query: no result yet")
		case q.err != nil:
			s := "throttle-query: " + q.err.Error()
			return yes(s, s)
		case q.value > 0:
			return yes("throttle-query", "throttle-query returned "+strconv.FormatFloat(q.value, 'g', -1, 64))
		}
	}
	if v.throttleHTTP != "" {
		switch h := t.web; {
		case h.url != v.throttleHTTP:
			return wait("throttle-http: no answer yet")
		case h.err != nil:
			s := "throttle-http: " + h.err.Error()
			return yes(s, s)
		case h.code != http.StatusOK:
			return yes("throttle-http "+strconv.Itoa(h.code), fmt.Sprintf("throttle-http %d from %s", h.code, h.url))
		}
	}
	return verdict{key: "ok"}
}

// roundLag prints a lag over limit as 2.3s or 400ms, with more digits when
// rounding would show it at or under limit.
func roundLag(d, limit time.Duration) string {
	r := d.Round(time.Millisecond)
	if d >= time.Second {
		r = d.Round(100 * time.Millisecond)
	}
	if r <= limit {
		r = d.Truncate(time.Millisecond) + time.Millisecond
	}
	return r.String()
}

// flagFileReason is the reason to throttle for a flag file, "" when it is
// not set or does not exist. A file that cannot be checked throttles.
func flagFileReason(what, path string) string {
	if path == "" {
		return ""
	}
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return what + " " + path + " exists"
	case errors.Is(err, os.ErrNotExist):
		return ""
	}
	return fmt.Sprintf("%s %s: %v", what, path, err)
}

// noteErr logs a check's error once per change of its text, and its recovery.
func (t *Throttler) noteErr(check string, err error) {
	t.mu.Lock()
	last := t.errs[check]
	now := ""
	if err != nil {
		now = err.Error()
	}
	t.errs[check] = now
	t.mu.Unlock()
	switch {
	case now == last:
	case err != nil:
		t.log.Warn().Str("check", check).Err(err).Msg("throttle check failed; throttling while it fails")
	default:
		t.log.Info().Str("check", check).Msg("throttle check works again")
	}
}
