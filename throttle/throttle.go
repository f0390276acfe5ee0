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
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
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
	// Primary is the migrated table's server (hotswap's session settings; open it with dialect/mysql.Open).
	Primary *sql.DB
	// Database and Table name the migrated table; the heartbeat table is schema.DerivedName(Table, "hb", 64).
	Database, Table string
	// OpenReplica connects to a control replica with the run's credentials.
	OpenReplica       func(ctx context.Context, hostport string) (*sql.DB, error)
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
		hbTable:  schema.DerivedName(cfg.Table, "hb", mysql.MaxNameLen),
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

// HeartbeatTable is the name of the heartbeat table in Config.Database.
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
	if t.cfg.Primary == nil {
		err := errors.New("throttle: no primary connection configured")
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
			if derr := mysql.DropHeartbeat(dctx, t.cfg.Primary, t.cfg.Database, t.hbTable); derr != nil {
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
	close(t.changed)
	t.changed = make(chan struct{})
}

// Wait blocks while throttled and returns nil once writes may go. It returns
// ctx.Err() if ctx ends first, and an error once Run has returned (Run's
// error, or ErrStopped).
func (t *Throttler) Wait(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		t.mu.Lock()
		done, runErr, ready, st, ch := t.done, t.runErr, t.ready, t.state, t.changed
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
	prev, wasReady := t.state, t.ready
	t.state, t.ready = next, true
	if !wasReady || prev.throttled != next.throttled {
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

// heartbeatWriter upserts the next sequence number into the heartbeat table
// while control replicas are configured. Only Run's goroutines use it.
type heartbeatWriter struct {
	t       *Throttler
	touched bool // the table may exist: drop it at the end
	created bool
	writing bool
}

func (h *heartbeatWriter) beat(ctx context.Context) {
	t := h.t
	if len(t.settings.snapshot().controlReplicas) == 0 {
		if h.writing {
			t.beats.pause()
			h.writing = false
			t.mu.Lock()
			t.hbErr = nil
			t.mu.Unlock()
		}
		return
	}
	h.writing = true
	cctx, cancel := context.WithTimeout(ctx, sqlTimeout)
	defer cancel()
	var err error
	if !h.created {
		t.beats.startTable(time.Now())
		h.touched = true
		if err = mysql.CreateHeartbeat(cctx, t.cfg.Primary, t.cfg.Database, t.hbTable); err == nil {
			h.created = true
			t.log.Info().Str("table", t.hbTable).Msg("heartbeat table created")
		}
	}
	if err == nil {
		err = mysql.WriteHeartbeat(cctx, t.cfg.Primary, t.cfg.Database, t.hbTable, t.beats.add(time.Now()))
	}
	if ctx.Err() != nil {
		return // stopping: not a failure of the check
	}
	t.mu.Lock()
	t.hbErr = err
	t.mu.Unlock()
	t.noteErr("heartbeat", err)
}

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
	values, err := mysql.GlobalStatus(cctx, t.cfg.Primary, names)
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

func (t *Throttler) collectQuery(ctx context.Context) {
	q := t.settings.snapshot().throttleQuery
	if q == "" {
		t.mu.Lock()
		t.query = queryResult{}
		t.mu.Unlock()
		return
	}
	cctx, cancel := context.WithTimeout(ctx, sqlTimeout)
	defer cancel()
	val, err := mysql.ScalarQuery(cctx, t.cfg.Primary, q)
	if ctx.Err() != nil {
		return
	}
	t.mu.Lock()
	t.query = queryResult{query: q, value: val, err: err}
	t.mu.Unlock()
	t.noteErr("throttle-query", err)
}

func (t *Throttler) collectHTTP(ctx context.Context) {
	u := t.settings.snapshot().throttleHTTP
	if u == "" {
		t.mu.Lock()
		t.web = httpResult{}
		t.mu.Unlock()
		return
	}
	code, err := t.httpStatus(ctx, u)
	if ctx.Err() != nil {
		return
	}
	t.mu.Lock()
	t.web = httpResult{url: u, code: code, err: err}
	t.mu.Unlock()
	t.noteErr("throttle-http", err)
}

// httpStatus sends HEAD to u, as gh-ost does, and returns the status code.
func (t *Throttler) httpStatus(ctx context.Context, u string) (int, error) {
	cctx, cancel := context.WithTimeout(ctx, httpTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(cctx, http.MethodHead, u, nil)
	if err != nil {
		return 0, fmt.Errorf("request to %s: %w", u, err)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return 0, err // a *url.Error: names the method and the URL
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// collectReplicas reads the heartbeat on every control replica, in parallel.
func (t *Throttler) collectReplicas(ctx context.Context) {
	hps := t.settings.snapshot().controlReplicas
	t.dropPoolsExcept(hps)
	t.mu.Lock()
	for hp := range t.replicas {
		if !slices.Contains(hps, hp) {
			delete(t.replicas, hp)
		}
	}
	t.mu.Unlock()
	if len(hps) == 0 {
		return
	}
	results := make([]replicaResult, len(hps))
	var wg sync.WaitGroup
	for i, hp := range hps {
		wg.Go(func() { results[i] = t.readReplica(ctx, hp) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		return
	}
	t.mu.Lock()
	for i, hp := range hps {
		t.replicas[hp] = results[i]
	}
	t.mu.Unlock()
	oldest, all := int64(math.MaxInt64), true
	for i, hp := range hps {
		r := results[i]
		t.noteErr("control replica "+hp, r.err)
		if r.err != nil || !r.found {
			all = false
		} else {
			oldest = min(oldest, r.seq)
		}
	}
	if all {
		t.beats.prune(oldest)
	}
}

func (t *Throttler) readReplica(ctx context.Context, hp string) replicaResult {
	cctx, cancel := context.WithTimeout(ctx, sqlTimeout)
	defer cancel()
	db, err := t.pool(cctx, hp)
	if err != nil {
		return replicaResult{err: err}
	}
	seq, found, err := mysql.ReadHeartbeat(cctx, db, t.cfg.Database, t.hbTable)
	if err != nil {
		return replicaResult{err: err}
	}
	return replicaResult{seq: seq, found: found}
}

func (t *Throttler) pool(ctx context.Context, hp string) (*sql.DB, error) {
	t.poolMu.Lock()
	db := t.pools[hp]
	t.poolMu.Unlock()
	if db != nil {
		return db, nil
	}
	if t.cfg.OpenReplica == nil {
		return nil, errors.New("connect: no OpenReplica configured")
	}
	db, err := t.cfg.OpenReplica(ctx, hp)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	db.SetMaxOpenConns(2)
	t.poolMu.Lock()
	t.pools[hp] = db
	t.poolMu.Unlock()
	return db, nil
}

func (t *Throttler) dropPoolsExcept(keep []string) {
	t.poolMu.Lock()
	defer t.poolMu.Unlock()
	for hp, db := range t.pools {
		if !slices.Contains(keep, hp) {
			_ = db.Close()
			delete(t.pools, hp)
		}
	}
}

func (t *Throttler) closePools() { t.dropPoolsExcept(nil) }
