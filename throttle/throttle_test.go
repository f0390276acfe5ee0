package throttle_test

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/throttle"
	"github.com/rs/zerolog"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// logBuf keeps the throttler's log lines for assertions and echoes them to the test log.
type logBuf struct {
	mu    sync.Mutex
	lines []string
	t     *testing.T
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	line := strings.TrimSpace(string(p))
	l.lines = append(l.lines, line)
	l.t.Log(line)
	return len(p), nil
}

// count is how many lines contain every one of parts.
func (l *logBuf) count(parts ...string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
next:
	for _, line := range l.lines {
		for _, p := range parts {
			if !strings.Contains(line, p) {
				continue next
			}
		}
		n++
	}
	return n
}

type harness struct {
	t        *testing.T
	srv      *testdb.MySQL
	db       string
	admin    *sql.DB
	primary  *sql.DB
	settings *throttle.Settings
	logs     *logBuf
	thr      *throttle.Throttler

	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	runErr error
}

// newHarness gives a database with table t on the shared server, hotswap's
// connection to it, and fresh settings; nothing runs yet.
func newHarness(t *testing.T) *harness {
	t.Helper()
	srv := testdb.MySQLServer(t)
	name, admin := srv.NewDatabase(t)
	if _, err := admin.Exec("CREATE TABLE t (id INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	primary, err := mysql.Open(context.Background(), mysql.Config{Host: srv.Host, Port: srv.Port, User: srv.User, Password: srv.Password, Database: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { primary.Close() })
	return &harness{t: t, srv: srv, db: name, admin: admin, primary: primary, settings: throttle.NewSettings(), logs: &logBuf{t: t}}
}

func (h *harness) set(name, value string) {
	h.t.Helper()
	if err := h.settings.Set(name, value); err != nil {
		h.t.Fatal(err)
	}
}

// start runs a Throttler built from cfg (Settings, Primary, SQL, Table and Log filled in).
func (h *harness) start(cfg throttle.Config) *throttle.Throttler {
	h.t.Helper()
	cfg.Settings, cfg.Primary, cfg.SQL, cfg.Table = h.settings, h.primary, mysql.Throttle{Database: h.db}, "t"
	cfg.Log = zerolog.New(h.logs)
	h.thr = throttle.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- h.thr.Run(ctx) }()
	h.t.Cleanup(func() { _ = h.stop() })
	return h.thr
}

// stop ends Run and returns its error; afterwards no throttler goroutine is left.
func (h *harness) stop() error {
	h.t.Helper()
	h.once.Do(func() {
		h.cancel()
		select {
		case h.runErr = <-h.done:
		case <-time.After(15 * time.Second):
			h.t.Fatal("Run did not return within 15s of its context ending")
		}
		assertNoThrottleGoroutines(h.t)
	})
	return h.runErr
}

// runEnded waits up to d for Run to return by itself.
func (h *harness) runEnded(d time.Duration) (error, bool) {
	select {
	case err := <-h.done:
		h.once.Do(func() { h.runErr = err; assertNoThrottleGoroutines(h.t) })
		return err, true
	case <-time.After(d):
		return nil, false
	}
}

func assertNoThrottleGoroutines(t *testing.T) {
	t.Helper()
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	for _, g := range strings.Split(string(buf[:n]), "\n\n") {
		if strings.Contains(g, "hotswap/throttle.") { // not throttle_test.

			t.Errorf("goroutine outlived Run:\n%s", g)
		}
	}
}

// eventually polls cond every 20ms for up to d.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func throttledWith(thr *throttle.Throttler, parts ...string) func() bool {
	return func() bool {
		on, reason := thr.Throttled()
		if !on {
			return false
		}
		for _, p := range parts {
			if !strings.Contains(reason, p) {
				return false
			}
		}
		return true
	}
}

func unthrottled(thr *throttle.Throttler) func() bool {
	return func() bool { on, _ := thr.Throttled(); return !on }
}

// waitAsync calls Wait in a goroutine; the channel gets its result.
func waitAsync(thr *throttle.Throttler) (<-chan error, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan error, 1)
	go func() { ch <- thr.Wait(ctx) }()
	return ch, cancel
}

func assertBlocked(t *testing.T, ch <-chan error, d time.Duration) {
	t.Helper()
	select {
	case err := <-ch:
		t.Fatalf("Wait returned (%v) while throttled", err)
	case <-time.After(d):
	}
}

func assertReturns(t *testing.T, ch <-chan error, d time.Duration) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(d):
		t.Fatalf("Wait still blocked after %s", d)
		return nil
	}
}

func waitUnthrottled(t *testing.T, thr *throttle.Throttler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := thr.Wait(ctx); err != nil {
		_, reason := thr.Throttled()
		t.Fatalf("Wait: %v (reason %q)", err, reason)
	}
}

func execOn(t *testing.T, dsn string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// The heartbeat measures lag on a control replica with hotswap's clock: a
// stopped SQL thread throttles with the replica named, Wait blocks until it
// runs again, and the heartbeat table is gone once Run returns.
func TestReplicaLagThrottles(t *testing.T) {
	h := newHarness(t)
	rep := h.srv.StartReplica(t)
	hp := net.JoinHostPort(rep.Host, strconv.Itoa(rep.Port))
	h.set(throttle.ThrottleControlReplicas, hp)
	h.set(throttle.MaxLagMillis, "500")
	thr := h.start(throttle.Config{
		OpenReplica: func(ctx context.Context, host string, port int) (*sql.DB, error) {
			return mysql.Open(ctx, mysql.Config{Host: host, Port: port, User: rep.User, Password: rep.Password, Database: h.db})
		},
	})

	eventually(t, 10*time.Second, "unthrottled with the replica applying", unthrottled(thr))
	waitUnthrottled(t, thr)
	if exists, err := mysql.TableExists(context.Background(), h.admin, h.db, thr.HeartbeatTable()); err != nil || !exists {
		t.Fatalf("heartbeat table %s while running: exists=%v err=%v", thr.HeartbeatTable(), exists, err)
	}
	if lag := thr.ReplicaLag(); lag > 500*time.Millisecond {
		t.Fatalf("ReplicaLag %s with the replica applying", lag)
	}

	before := h.logs.count(`"message":"throttled"`, "replica lag")
	execOn(t, rep.RootDSN(""), "STOP SLAVE SQL_THREAD")
	eventually(t, 5*time.Second, "throttled for replica lag", throttledWith(thr, "replica lag", hp, "max-lag-millis 500"))
	_, reason := thr.Throttled()
	t.Logf("reason: %s", reason)
	if lag := thr.ReplicaLag(); lag <= 500*time.Millisecond {
		t.Fatalf("ReplicaLag %s while throttled for lag", lag)
	}
	waited, cancelWait := waitAsync(thr)
	defer cancelWait()
	assertBlocked(t, waited, 500*time.Millisecond)
	time.Sleep(time.Second)
	if n := h.logs.count(`"message":"throttled"`, "replica lag") - before; n != 1 {
		t.Fatalf("%d log lines for the lag throttle, want exactly 1 (one per change of reason)", n)
	}

	execOn(t, rep.RootDSN(""), "START SLAVE SQL_THREAD")
	if err := assertReturns(t, waited, 10*time.Second); err != nil {
		t.Fatalf("Wait after START SLAVE SQL_THREAD: %v", err)
	}
	if on, reason := thr.Throttled(); on {
		t.Fatalf("still throttled after Wait returned: %s", reason)
	}
	if h.logs.count(`"message":"throttle lifted"`) == 0 {
		t.Fatal("no log line for the throttle being lifted")
	}

	if err := h.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if exists, err := mysql.TableExists(context.Background(), h.admin, h.db, thr.HeartbeatTable()); err != nil || exists {
		t.Fatalf("heartbeat table after Run: exists=%v err=%v", exists, err)
	}
	rep.CatchUp(t)
	repDB, err := sql.Open("mysql", rep.RootDSN(""))
	if err != nil {
		t.Fatal(err)
	}
	defer repDB.Close()
	if exists, err := mysql.TableExists(context.Background(), repDB, h.db, thr.HeartbeatTable()); err != nil || exists {
		t.Fatalf("heartbeat table on the replica after Run: exists=%v err=%v", exists, err)
	}
	if err := thr.Wait(context.Background()); !errors.Is(err, throttle.ErrStopped) {
		t.Fatalf("Wait after Run returned: %v, want ErrStopped", err)
	}
}

// A control replica that cannot be reached throttles with the error (be safe).
func TestUnreachableReplicaThrottles(t *testing.T) {
	h := newHarness(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hp := l.Addr().String()
	l.Close() // nothing listens there now
	h.set(throttle.ThrottleControlReplicas, hp)
	thr := h.start(throttle.Config{
		OpenReplica: func(ctx context.Context, host string, port int) (*sql.DB, error) {
			return mysql.Open(ctx, mysql.Config{Host: host, Port: port, User: "hotswap", Password: "x", Database: h.db})
		},
	})
	eventually(t, 5*time.Second, "throttled for the unreachable replica", throttledWith(thr, "control replica "+hp, "connect"))
	time.Sleep(500 * time.Millisecond)
	if n := h.logs.count(`"check":"control replica `+hp+`"`, "throttle check failed"); n != 1 {
		t.Fatalf("%d log lines for the failing replica check, want 1", n)
	}
	h.set(throttle.ThrottleControlReplicas, "")
	eventually(t, 5*time.Second, "unthrottled once the replica is removed", unthrottled(thr))
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if exists, err := mysql.TableExists(context.Background(), h.admin, h.db, thr.HeartbeatTable()); err != nil || exists {
		t.Fatalf("heartbeat table after Run: exists=%v err=%v", exists, err)
	}
}

// The throttle command holds writers at once; no-throttle releases them.
func TestManualThrottle(t *testing.T) {
	h := newHarness(t)
	thr := h.start(throttle.Config{})
	waitUnthrottled(t, thr)
	thr.SetManual(true)
	if on, reason := thr.Throttled(); !on || reason != "manual (throttle command)" {
		t.Fatalf("after SetManual(true): %v %q", on, reason)
	}
	waited, cancelWait := waitAsync(thr)
	defer cancelWait()
	assertBlocked(t, waited, 300*time.Millisecond)
	thr.SetManual(false)
	if err := assertReturns(t, waited, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	// Wait ends with its context.
	thr.SetManual(true)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := thr.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait with an ending context: %v", err)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if on, _ := thr.Throttled(); !on {
		t.Fatal("not throttled after Run returned")
	}
}

// Writers are held while either flag file exists.
func TestFlagFiles(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	flag, additional := filepath.Join(dir, "throttle"), filepath.Join(dir, "all.throttle")
	h.set(throttle.ThrottleFlagFile, flag)
	h.set(throttle.ThrottleAdditionalFlagFile, additional)
	thr := h.start(throttle.Config{})
	waitUnthrottled(t, thr)
	for _, c := range []struct{ path, reason string }{
		{flag, "flag file " + flag + " exists"},
		{additional, "additional flag file " + additional + " exists"},
	} {
		if err := os.WriteFile(c.path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		eventually(t, 2*time.Second, c.reason, func() bool { on, r := thr.Throttled(); return on && r == c.reason })
		waited, cancelWait := waitAsync(thr)
		assertBlocked(t, waited, 300*time.Millisecond)
		if err := os.Remove(c.path); err != nil {
			t.Fatal(err)
		}
		if err := assertReturns(t, waited, 2*time.Second); err != nil {
			t.Fatal(err)
		}
		cancelWait()
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
}

// throttle-query: a result > 0 throttles, 0 does not, an error throttles.
func TestThrottleQuery(t *testing.T) {
	h := newHarness(t)
	h.set(throttle.ThrottleQuery, "SELECT @@global.max_connections > 0")
	thr := h.start(throttle.Config{})
	eventually(t, 3*time.Second, "throttled by throttle-query", throttledWith(thr, "throttle-query returned 1"))
	waited, cancelWait := waitAsync(thr)
	defer cancelWait()
	assertBlocked(t, waited, 300*time.Millisecond)
	h.set(throttle.ThrottleQuery, "SELECT @@global.max_connections < 0")
	if err := assertReturns(t, waited, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	h.set(throttle.ThrottleQuery, "SELECT no_such_column FROM t")
	eventually(t, 3*time.Second, "throttled by a failing throttle-query", throttledWith(thr, "throttle-query: ", "no_such_column"))
	time.Sleep(500 * time.Millisecond)
	if n := h.logs.count(`"check":"throttle-query"`, "throttle check failed"); n != 1 {
		t.Fatalf("%d log lines for the failing throttle-query, want 1", n)
	}
	h.set(throttle.ThrottleQuery, "")
	eventually(t, 3*time.Second, "unthrottled once throttle-query is cleared", unthrottled(thr))
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
}

// throttle-http: any answer but 200, or no answer, throttles.
func TestThrottleHTTP(t *testing.T) {
	h := newHarness(t)
	var code atomic.Int32
	code.Store(http.StatusServiceUnavailable)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(code.Load()))
	}))
	defer srv.Close()
	h.set(throttle.ThrottleHTTP, srv.URL)
	thr := h.start(throttle.Config{})
	want := "throttle-http 503 from " + srv.URL
	eventually(t, 3*time.Second, want, func() bool { on, r := thr.Throttled(); return on && r == want })
	waited, cancelWait := waitAsync(thr)
	defer cancelWait()
	assertBlocked(t, waited, 300*time.Millisecond)
	code.Store(http.StatusOK)
	if err := assertReturns(t, waited, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	eventually(t, 3*time.Second, "throttled when the URL does not answer", throttledWith(thr, "throttle-http: ", srv.URL))
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
}

// max-load: a status value at or over its threshold throttles; one log line
// per change of reason, not one per check.
func TestMaxLoad(t *testing.T) {
	h := newHarness(t)
	h.set(throttle.MaxLoad, "Threads_connected=1")
	thr := h.start(throttle.Config{})
	eventually(t, 3*time.Second, "throttled by max-load", throttledWith(thr, "max-load Threads_connected=", ">= 1"))
	_, reason := thr.Throttled()
	t.Logf("reason: %s", reason)
	waited, cancelWait := waitAsync(thr)
	defer cancelWait()
	assertBlocked(t, waited, time.Second)
	if n := h.logs.count(`"message":"throttled"`, "max-load"); n != 1 {
		t.Fatalf("%d log lines for max-load, want 1", n)
	}
	h.set(throttle.MaxLoad, "Threads_running=100000,Threads_connected=100000")
	if err := assertReturns(t, waited, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := h.logs.count(`"message":"throttle lifted"`, `"throttled":false`); n != 1 {
		t.Fatalf("%d log lines for the throttle lifted, want 1", n)
	}
	h.set(throttle.MaxLoad, "No_such_status_variable=5")
	eventually(t, 3*time.Second, "throttled when max-load cannot be read", throttledWith(thr, "No_such_status_variable"))
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
}

// critical-load: over the threshold at the reading and again after
// critical-load-interval-millis, Run returns *CriticalLoadError.
func TestCriticalLoadAborts(t *testing.T) {
	for _, interval := range []string{"200", "0"} {
		t.Run("interval="+interval, func(t *testing.T) {
			h := newHarness(t)
			h.set(throttle.CriticalLoad, "Threads_connected=1")
			h.set(throttle.CriticalLoadIntervalMillis, interval)
			began := time.Now()
			thr := h.start(throttle.Config{})
			err, ended := h.runEnded(5 * time.Second)
			if !ended {
				t.Fatal("Run did not abort on critical-load")
			}
			took := time.Since(began)
			var cle *throttle.CriticalLoadError
			if !errors.As(err, &cle) {
				t.Fatalf("Run returned %v, want *CriticalLoadError", err)
			}
			if cle.Variable != "Threads_connected" || cle.Threshold != 1 || cle.Value < 1 {
				t.Fatalf("CriticalLoadError %+v", cle)
			}
			for _, part := range []string{"Threads_connected", strconv.FormatInt(cle.Value, 10), ">= 1"} {
				if !strings.Contains(err.Error(), part) {
					t.Fatalf("error %q does not name %q", err, part)
				}
			}
			if interval == "200" && took < 200*time.Millisecond {
				t.Fatalf("aborted after %s, before the 200ms re-check", took)
			}
			t.Logf("%s after %s", err, took.Round(time.Millisecond))
			if werr := thr.Wait(context.Background()); !errors.As(werr, &cle) {
				t.Fatalf("Wait after the abort: %v, want the CriticalLoadError", werr)
			}
		})
	}
	t.Run("below threshold", func(t *testing.T) {
		h := newHarness(t)
		h.set(throttle.CriticalLoad, "Threads_connected=100000")
		h.set(throttle.CriticalLoadIntervalMillis, "200")
		thr := h.start(throttle.Config{})
		waitUnthrottled(t, thr)
		if err, ended := h.runEnded(time.Second); ended {
			t.Fatalf("Run ended below critical-load: %v", err)
		}
		if err := h.stop(); err != nil {
			t.Fatalf("Run: %v", err)
		}
	})
}

// nice-ratio: Nice sleeps took*ratio, not at all at 0, and returns when ctx ends.
func TestNiceRatio(t *testing.T) {
	s := throttle.NewSettings()
	thr := throttle.New(throttle.Config{Settings: s})
	ctx := context.Background()
	measure := func(took time.Duration) time.Duration {
		t0 := time.Now()
		thr.Nice(ctx, took)
		return time.Since(t0)
	}
	if d := measure(time.Second); d > 200*time.Millisecond { // it would be 0 to 1s; 200ms is slack for a loaded machine
		t.Fatalf("nice-ratio 0 slept %s", d)
	}
	if err := s.Set(throttle.NiceRatio, "0.5"); err != nil {
		t.Fatal(err)
	}
	if d := measure(400 * time.Millisecond); d < 190*time.Millisecond || d > 700*time.Millisecond {
		t.Fatalf("nice-ratio 0.5 after 400ms slept %s, want about 200ms", d)
	}
	if err := s.Set(throttle.NiceRatio, "10"); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	thr.Nice(cctx, time.Second)
	if d := time.Since(t0); d > time.Second {
		t.Fatalf("Nice ignored its context: slept %s", d)
	}
}

// hotswap's own binlog reader lag over max-lag-millis throttles.
func TestStreamLag(t *testing.T) {
	h := newHarness(t)
	var lag atomic.Int64
	thr := h.start(throttle.Config{StreamLag: func() time.Duration { return time.Duration(lag.Load()) }})
	waitUnthrottled(t, thr)
	lag.Store(int64(2 * time.Second))
	want := "binlog stream lag 2s > max-lag-millis 1500"
	eventually(t, 2*time.Second, want, func() bool { on, r := thr.Throttled(); return on && r == want })
	waited, cancelWait := waitAsync(thr)
	defer cancelWait()
	assertBlocked(t, waited, 300*time.Millisecond)
	// the applier is not held by the stream's lag: applying is how it catches up
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := thr.WaitToApply(ctx); err != nil {
		t.Fatalf("WaitToApply held by the stream lag: %v", err)
	}
	thr.SetManual(true)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	if err := thr.WaitToApply(ctx2); err == nil {
		t.Fatal("WaitToApply not held by the manual throttle")
	}
	thr.SetManual(false)
	lag.Store(int64(100 * time.Millisecond))
	if err := assertReturns(t, waited, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
}

// Every setting round-trips Set -> Get; bad values are refused and change nothing.
func TestSettings(t *testing.T) {
	s := throttle.NewSettings()
	defaults := map[string]string{throttle.MaxLagMillis: "1500", throttle.CriticalLoadIntervalMillis: "0", throttle.NiceRatio: "0"}
	samples := map[string]string{
		throttle.MaxLagMillis:               "2500",
		throttle.MaxLoad:                    "Threads_running=25,Threads_connected=500",
		throttle.CriticalLoad:               "Threads_running=100",
		throttle.CriticalLoadIntervalMillis: "300",
		throttle.ThrottleQuery:              "SELECT COUNT(*) > 10 FROM information_schema.PROCESSLIST",
		throttle.ThrottleHTTP:               "http://127.0.0.1:8080/throttle?x=1",
		throttle.ThrottleControlReplicas:    "127.0.0.1:3307,db2.example.com:3306,[::1]:3308",
		throttle.NiceRatio:                  "0.5",
		throttle.ThrottleFlagFile:           "/tmp/hotswap.throttle",
		throttle.ThrottleAdditionalFlagFile: "/tmp/all.throttle",
	}
	if len(s.Names()) != len(samples) {
		t.Fatalf("Names() = %v, the test knows %d", s.Names(), len(samples))
	}
	for _, name := range s.Names() {
		got, err := s.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		if got != defaults[name] {
			t.Errorf("default %s = %q, want %q", name, got, defaults[name])
		}
		sample, ok := samples[name]
		if !ok {
			t.Fatalf("no sample for setting %s", name)
		}
		if err := s.Set(name, sample); err != nil {
			t.Fatalf("Set(%s, %q): %v", name, sample, err)
		}
		if got, _ := s.Get(name); got != sample {
			t.Errorf("Get(%s) = %q after Set %q", name, got, sample)
		}
	}
	// Empty clears the lists, URLs, queries and paths.
	for _, name := range []string{throttle.MaxLoad, throttle.CriticalLoad, throttle.ThrottleQuery, throttle.ThrottleHTTP,
		throttle.ThrottleControlReplicas, throttle.ThrottleFlagFile, throttle.ThrottleAdditionalFlagFile} {
		if err := s.Set(name, ""); err != nil {
			t.Fatalf("clear %s: %v", name, err)
		}
		if got, _ := s.Get(name); got != "" {
			t.Errorf("%s = %q after clearing", name, got)
		}
		_ = s.Set(name, samples[name])
	}
	// Normalised forms.
	if err := s.Set(throttle.ThrottleControlReplicas, " db1 , db2:3307,db1:3306"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(throttle.ThrottleControlReplicas); got != "db1:3306,db2:3307" {
		t.Errorf("replicas normalised to %q", got)
	}
	pg := throttle.NewSettings() // PostgreSQL standbys listen on 5432 by default
	pg.SetDefaultReplicaPort(5432)
	if err := pg.Set(throttle.ThrottleControlReplicas, "sb1,sb2:5433"); err != nil {
		t.Fatal(err)
	}
	if got, _ := pg.Get(throttle.ThrottleControlReplicas); got != "sb1:5432,sb2:5433" {
		t.Errorf("replicas with default port 5432 normalised to %q", got)
	}
	_ = s.Set(throttle.ThrottleControlReplicas, samples[throttle.ThrottleControlReplicas])

	bad := []struct{ name, value string }{
		{throttle.MaxLagMillis, "abc"},
		{throttle.MaxLagMillis, "0"},
		{throttle.MaxLoad, "Threads_running"},
		{throttle.MaxLoad, "Threads_running=x"},
		{throttle.MaxLoad, "Threads_running=1,Threads_running=2"},
		{throttle.CriticalLoad, "Threads-running=5"},
		{throttle.CriticalLoadIntervalMillis, "-5"},
		{throttle.NiceRatio, "-1"},
		{throttle.NiceRatio, "NaN"},
		{throttle.ThrottleHTTP, "ftp://example.com/x"},
		{throttle.ThrottleControlReplicas, "db1:abc"},
		{throttle.ThrottleControlReplicas, "db1:3306,,db2:3306"},
	}
	for _, b := range bad {
		err := s.Set(b.name, b.value)
		if err == nil {
			t.Errorf("Set(%s, %q) accepted", b.name, b.value)
			continue
		}
		if !strings.Contains(err.Error(), b.name) {
			t.Errorf("error %q does not name the setting %s", err, b.name)
		}
		if got, _ := s.Get(b.name); got != samples[b.name] {
			t.Errorf("%s changed to %q by refused value %q", b.name, got, b.value)
		}
	}
	if err := s.Set("max-lag", "1"); err == nil || !strings.Contains(err.Error(), "max-lag-millis") {
		t.Errorf("unknown setting: %v (should list the known ones)", err)
	}
	if _, err := s.Get("nope"); err == nil {
		t.Error("Get of an unknown setting succeeded")
	}
}
