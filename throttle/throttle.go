// Package throttle answers one question for the copier and the applier: may
// hotswap write now, and if not, why. It follows gh-ost's throttling knobs
// and their names: replica lag measured by a heartbeat, max-load,
// critical-load, throttle-query, throttle-http, flag files, the throttle
// command, and nice-ratio.
package throttle

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/hotswap/hotswap/schema"
	"github.com/rs/zerolog"
)

const (
	defaultInterval = 100 * time.Millisecond
	sqlTimeout      = 2 * time.Second  // one check's SQL, including connecting to a replica
	httpTimeout     = 1 * time.Second  // throttle-http
	cleanupTimeout  = 10 * time.Second // dropping the heartbeat table after Run
)

// ErrStopped is returned by Wait once Run has returned without an error: no
// check runs any more, so the answer is no longer known.
var ErrStopped = errors.New("throttler stopped")

// Config wires a Throttler to the run.
type Config struct {
	Settings *Settings // nil: NewSettings()
	// Primary is the migrated table's server, with hotswap's session settings.
	Primary *sql.DB
	// SQL is the engine's SQL for the heartbeat and the load (required).
	SQL Dialect
	// Table names the migrated table; the heartbeat table, in the table's
	// database or schema, is schema.DerivedName(Table, "hb", SQL.MaxNameLen()).
	Table string
	// OpenReplica connects to a control replica with the run's credentials.
	OpenReplica       func(ctx context.Context, host string, port int) (*sql.DB, error)
	HeartbeatInterval time.Duration // --heartbeat-interval-millis, default 100ms
	CheckInterval     time.Duration // default 100ms
	// StreamLag is hotswap's own binlog reader lag; over max-lag-millis throttles too (nil: ignored).
	StreamLag func() time.Duration
	Log       zerolog.Logger
}

// CriticalLoadError is Run's error when a critical-load threshold is reached:
// the run must abort.
type CriticalLoadError struct {
	Variable  string
	Value     int64
	Threshold int64
	// Interval is critical-load-interval-millis: 0 aborts on the first
	// reading; otherwise the value was still over when re-read after it.
	Interval time.Duration
}

func (e *CriticalLoadError) Error() string {
	s := fmt.Sprintf("critical-load reached: %s=%d >= %d", e.Variable, e.Value, e.Threshold)
	if e.Interval > 0 {
		s += fmt.Sprintf(" (still over when re-checked after critical-load-interval-millis %d)", e.Interval.Milliseconds())
	}
	return s
}

// Throttler evaluates the checks (in Run) and holds writers back (Wait).
type Throttler struct {
	cfg      Config
	settings *Settings
	hbTable  string
	log      zerolog.Logger
	beats    *beats
	client   *http.Client
	kick     chan struct{} // a collector has a new result

	evalMu sync.Mutex // one evaluation at a time, so state lines are logged in order

	mu          sync.Mutex
	manual      bool
	started     bool // Run was called
	done        bool // Run returned
	runErr      error
	ready       bool // first evaluation done
	state       verdict
	applyState  verdict       // state without hotswap's own stream lag: see WaitToApply
	logged      verdict       // the state last written to the log
	loggedAny   bool          // the log has said throttled or not at least once
	loggedSince time.Time     // when the log last said throttled after not throttled
	changed     chan struct{} // closed and replaced when the throttled state changes
	status      statusResult
	query       queryResult
	web         httpResult
	replicas    map[string]replicaResult
	hbErr       error
	errs        map[string]string // last error text logged per check

	poolMu sync.Mutex
	pools  map[string]*sql.DB // control replica connections, by host:port
}

// verdict is the outcome of one evaluation. key identifies the reason
// without its changing numbers: a new log line is written only when it changes.
type verdict struct {
	throttled bool
	reason    string
	key       string
	pending   bool // only waiting for the first reading of a check just enabled: not logged
}

type statusResult struct {
	values map[string]int64
	err    error
}

type queryResult struct {
	query string
	value float64
	err   error
}

type httpResult struct {
	url  string
	code int
	err  error
}

type replicaResult struct {
	seq   int64
	found bool
	err   error
}

// New returns a Throttler; nothing runs until Run. Until Run's first
// evaluation it reports throttled.
func New(cfg Config) *Throttler {
	if cfg.Settings == nil {
		cfg.Settings = NewSettings()
	}
	if cfg.HeartbeatInterval <= 0 {
		cfg.HeartbeatInterval = defaultInterval
	}
	if cfg.CheckInterval <= 0 {
		cfg.CheckInterval = defaultInterval
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	return &Throttler{
		cfg:      cfg,
		settings: cfg.Settings,
		hbTable:  heartbeatTable(cfg),
		log:      cfg.Log.With().Str("component", "throttle").Logger(),
		beats:    newBeats(time.Now()),
		client:   &http.Client{Timeout: httpTimeout, Transport: tr},
		kick:     make(chan struct{}, 1),
		state:    verdict{throttled: true, reason: "throttle checks have not run yet", key: "starting"},
		changed:  make(chan struct{}),
		replicas: map[string]replicaResult{},
		errs:     map[string]string{},
		pools:    map[string]*sql.DB{},
	}
}

func heartbeatTable(cfg Config) string {
	if cfg.SQL == nil {
		return "" // Run refuses to start
	}
	return schema.DerivedName(cfg.Table, "hb", cfg.SQL.MaxNameLen())
}

// HeartbeatTable is the name of the heartbeat table, in the migrated table's database or schema.
func (t *Throttler) HeartbeatTable() string { return t.hbTable }

// Run writes heartbeats while control replicas are configured (creating the
// heartbeat table on first need and dropping it when Run returns) and
// evaluates every check each CheckInterval until ctx ends; then it returns
// nil. It returns a *CriticalLoadError when critical-load is reached (after
// the critical-load-interval-millis re-check), which must abort the run.
// Every goroutine it starts has ended when it returns.
func (t *Throttler) Run(ctx context.Context) (err error) {
	t.mu.Lock()
	if t.started {
		t.mu.Unlock()
		return errors.New("throttle: Run called twice")
	}
	t.started = true
	t.mu.Unlock()
	if t.cfg.Primary == nil || t.cfg.SQL == nil {
		err := errors.New("throttle: no primary connection or SQL dialect configured")
		t.stop(err)
		return err
	}

	ctx, cancel := context.WithCancelCause(ctx)
	hb := &heartbeatWriter{t: t}
	defer func() {
		cancel(nil)
		t.closePools()
		t.client.CloseIdleConnections()
		if hb.touched {
			dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
			if derr := t.cfg.SQL.DropHeartbeat(dctx, t.cfg.Primary, t.hbTable); derr != nil {
				t.log.Error().Err(derr).Str("table", t.hbTable).Msg("heartbeat table left behind: drop it")
				err = errors.Join(err, derr)
			}
			dcancel()
		}
		t.stop(err)
	}()

	crit := &criticalCheck{t: t, cancel: cancel}
	collectors := []func(context.Context){crit.collect, t.collectQuery, t.collectHTTP, t.collectReplicas}

	// First round before the first evaluation, so the start is not logged
	// as throttled for want of readings.
	hb.beat(ctx)
	var wg sync.WaitGroup
	for _, c := range collectors {
		wg.Go(func() { c(ctx) })
	}
	wg.Wait()
	if ctx.Err() == nil {
		t.evaluate()
	}

	wg.Go(func() { t.every(ctx, t.cfg.HeartbeatInterval, hb.beat) })
	for _, c := range collectors {
		wg.Go(func() { t.every(ctx, t.cfg.CheckInterval, c) })
	}
	tick := time.NewTicker(t.cfg.CheckInterval)
	defer tick.Stop()
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-tick.C:
			t.evaluate()
		case <-t.kick:
			t.evaluate()
		}
	}
	wg.Wait()
	var cle *CriticalLoadError
	if errors.As(context.Cause(ctx), &cle) {
		return cle
	}
	return nil
}

// every runs fn each d until ctx ends, then asks for an evaluation.
func (t *Throttler) every(ctx context.Context, d time.Duration, fn func(context.Context)) {
	tick := time.NewTicker(d)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			fn(ctx)
			select {
			case t.kick <- struct{}{}:
			default:
			}
		}
	}
}

// stop records that Run returned and wakes every Wait.
func (t *Throttler) stop(err error) {
	t.evalMu.Lock()
	defer t.evalMu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done, t.runErr = true, err
	reason := ErrStopped.Error()
	if err != nil {
		reason += ": " + err.Error()
	}
	t.state = verdict{throttled: true, reason: reason, key: "stopped"}
	t.applyState = t.state
	close(t.changed)
	t.changed = make(chan struct{})
}

// Wait blocks while throttled and returns nil once writes may go. It returns
// ctx.Err() if ctx ends first, and an error once Run has returned (Run's
// error, or ErrStopped).
func (t *Throttler) Wait(ctx context.Context) error {
	return t.wait(ctx, func() verdict { return t.state })
}

// WaitToApply is Wait for the applier, which hotswap's own stream lag does
// not hold: applying the changed keys is what lets the stream catch up, and
// with the key set bounded, a held applier would stop the stream for good.
func (t *Throttler) WaitToApply(ctx context.Context) error {
	return t.wait(ctx, func() verdict { return t.applyState })
}

// wait blocks while the verdict pick returns (read with t.mu held) throttles.
func (t *Throttler) wait(ctx context.Context, pick func() verdict) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		t.mu.Lock()
		done, runErr, ready, st, ch := t.done, t.runErr, t.ready, pick(), t.changed
		t.mu.Unlock()
		switch {
		case done && runErr != nil:
			return fmt.Errorf("%w: %w", ErrStopped, runErr)
		case done:
			return ErrStopped
		case ready && !st.throttled:
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// Throttled says whether writes are held now, and why.
func (t *Throttler) Throttled() (bool, string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state.throttled, t.state.reason
}

// SetManual holds (true) or releases (false) writes: the throttle and
// no-throttle commands.
func (t *Throttler) SetManual(on bool) {
	t.mu.Lock()
	changed := t.manual != on
	t.manual = on
	running := t.started && !t.done && t.ready
	t.mu.Unlock()
	if changed {
		t.log.Info().Bool("on", on).Msg("manual throttle command")
	}
	if running {
		t.evaluate()
	}
}

// ReplicaLag is the worst lag measured over the control replicas (0 when
// none is configured or none could be read).
func (t *Throttler) ReplicaLag() time.Duration {
	hps := t.settings.snapshot().controlReplicas
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	var worst time.Duration
	for _, hp := range hps {
		r, ok := t.replicas[hp]
		if !ok || r.err != nil {
			continue
		}
		if lag, known := t.beats.lag(now, r.seq, r.found); known {
			worst = max(worst, lag)
		}
	}
	return worst
}

// Nice sleeps took*nice-ratio (returns early when ctx ends): call it after
// each chunk with the time the chunk took.
func (t *Throttler) Nice(ctx context.Context, took time.Duration) {
	t.settings.mu.Lock()
	ratio := t.settings.v.niceRatio
	t.settings.mu.Unlock()
	f := float64(took) * ratio
	if f < float64(time.Millisecond) {
		return
	}
	d := time.Duration(math.Min(f, float64(time.Hour)))
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.C:
	}
}
