package control

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hotswap/hotswap/throttle"
	"github.com/rs/zerolog"
)

// settingsTarget is a Target whose knobs are the real ones: chunk-size
// checked as the migration checks it, everything else a throttle.Settings,
// so that the fuzzer reaches the parsers a running migration uses.
type settingsTarget struct {
	mu          sync.Mutex
	settings    *throttle.Settings
	chunk       int
	throttled   bool
	postponed   bool
	unpostponed int
	panicked    int
}

func newSettingsTarget(t *testing.T) *settingsTarget {
	st := &settingsTarget{settings: throttle.NewSettings(), chunk: 1000, throttled: true}
	for name, v := range map[string]string{
		"max-load": "Threads_running=25,Threads_connected=500", "critical-load": "Threads_running=1000",
		"throttle-query": "SELECT 1 FROM `t` WHERE a = 'x'", "nice-ratio": "0.5",
		"throttle-control-replicas": "db2:3307,[::1]:3306", "throttle-http": "http://127.0.0.1:9/health",
		"critical-load-interval-millis": "250", "max-lag-millis": "2000",
	} {
		if err := st.settings.Set(name, v); err != nil {
			t.Fatalf("preset %s=%s: %v", name, v, err)
		}
	}
	return st
}

func (s *settingsTarget) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Status{State: "copying", Database: "shop", Table: "orders", Shadow: "_orders_new",
		ChunkSize: s.chunk, Throttled: s.throttled, Postponed: s.postponed, ETASeconds: -1}
}

func (s *settingsTarget) SetThrottle(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttled = on
}

// Set is the migration's: chunk-size from 1 to 1000000, the rest throttle's.
func (s *settingsTarget) Set(name, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "chunk-size" {
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 || n > 1_000_000 {
			return fmt.Errorf("chunk-size must be a whole number from 1 to 1000000, got %q", value)
		}
		s.chunk = n
		return nil
	}
	return s.settings.Set(name, value)
}

func (s *settingsTarget) Get(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "chunk-size" {
		return strconv.Itoa(s.chunk), nil
	}
	return s.settings.Get(name)
}

func (s *settingsTarget) Unpostpone() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.postponed {
		return errors.New("the cut-over is not postponed")
	}
	s.postponed = false
	s.unpostponed++
	return nil
}

func (s *settingsTarget) Panic() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.panicked++
}

// state is every setting and every effect, as text, to compare.
func (s *settingsTarget) state() string {
	var b strings.Builder
	for _, name := range s.settings.Names() {
		v, _ := s.settings.Get(name)
		fmt.Fprintf(&b, "%s=%q\n", name, v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(&b, "chunk=%d throttled=%v postponed=%v unpostponed=%d panicked=%d",
		s.chunk, s.throttled, s.postponed, s.unpostponed, s.panicked)
	return b.String()
}

var commandSeeds = []string{
	"help", "status", "status-json", "sup", "throttle", "pause", "no-throttle", "resume",
	"cut-over", "unpostpone", "panic", "cut-over=orders", "cut-over=shop.orders", "panic=orders",
	"panic=other", "cut-over=", "unpostpone=shop.orders", "help=", "status=?", "throttle=1",
	"chunk-size=500", "chunk-size=?", "chunk-size=0", "chunk-size=-1", "chunk-size=+7", "chunk-size=1e3",
	"chunk-size=99999999999999999999", "chunk-size = 300 ", "CHUNK-SIZE=5", "nice-ratio=0.25",
	"nice-ratio=NaN", "nice-ratio=Inf", "nice-ratio=-0", "nice-ratio=0x1p-2", "nice-ratio=1e308",
	"max-lag-millis=0", "max-lag-millis=1", "max-lag-millis=9223372036854775807",
	"max-load=Threads_running=5", "max-load=Threads_running=5,threads_running=6", "max-load=a b=1",
	"max-load=", "max-load=?", "critical-load=Threads_running=-1", "critical-load=x=1,",
	"critical-load-interval-millis=0", "critical-load-hibernate-seconds=5",
	"throttle-query=SELECT 1", "throttle-query=", "throttle-query=SELECT '=?'", "throttle-query=SELECT 1 WHERE a=?", "chunk-size = ?", "throttle-query=?",
	"throttle-query=SELECT 1; DROP TABLE t -- '`\"", "throttle-http=ftp://x", "throttle-http=http://",
	"throttle-http=https://h:8443/p?q=1", "throttle-http=http://[::1", "throttle-control-replicas=h1,h2:3307, h3",
	"throttle-control-replicas=[::1]", "throttle-control-replicas=::1", "throttle-control-replicas=[a]b",
	"throttle-control-replicas=h:0", "throttle-control-replicas=,", "throttle-control-replicas=h:65536",
	"throttle-flag-file=/tmp/x y", "throttle-additional-flag-file=", "unknown=1", "a=b=c", "=", "==",
	"=?", "?", " ", "", "\x00", "status\n", "throttle\r\nno-throttle", "café=1", "chunk-size=５",
	"throttle-query=" + strings.Repeat("x", 70000),
}

// FuzzCommand feeds one line as a client would send it, under each mix of
// the forced named forms and a postponed cut-over: the parser never panics
// (the server would turn it into "internal error"), a rejected command
// changes nothing, an accepted NAME=VALUE reads back through NAME=? as a
// value that sets the same state again, and a named cut-over or panic only
// acts on this migration's table.
func FuzzCommand(f *testing.F) {
	for _, s := range commandSeeds {
		f.Add(s, uint8(0))
		f.Add(s, uint8(15))
	}
	f.Fuzz(func(t *testing.T, data string, flags uint8) {
		target := newSettingsTarget(t)
		target.postponed = flags&4 != 0
		opts := Options{ForceNamedCutOver: flags&1 != 0, ForceNamedPanic: flags&2 != 0}
		if flags&8 != 0 {
			opts.Table = "orders"
		}
		s := &Server{opts: opts, target: target, log: zerolog.Nop()}

		line, err := readLine(strings.NewReader(data))
		if err != nil {
			return // a connection error or a line too long: nothing runs
		}
		before := target.state()
		reply, ok := s.vetAndRun(line)
		after := target.state()
		if strings.Contains(reply, "internal error") {
			t.Fatalf("%q: the parser panicked: %s", line, reply)
		}
		if ok == strings.HasPrefix(reply, "ERROR:") {
			t.Fatalf("%q: ok %v with reply %q", line, ok, reply)
		}
		if !ok {
			if after != before {
				t.Fatalf("%q was rejected (%s) but changed the state:\n%s\nto\n%s", line, reply, before, after)
			}
			return
		}
		if isRead(line) && after != before {
			t.Fatalf("%q is logged as a read but changed the state:\n%s\nto\n%s", line, before, after)
		}
		name, value, hasValue := strings.Cut(line, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch {
		case !hasValue || value == "?":
			if after != before && !hasValue && !isPlain(name) {
				t.Fatalf("%q: an unknown command changed the state", line)
			}
		case name == "cut-over" || name == "unpostpone" || name == "panic":
			if value != "orders" && value != "shop.orders" {
				t.Fatalf("%q acted on another table", line)
			}
		default:
			checkRoundTrip(t, s, target, name, value)
		}
	})
}

// checkRoundTrip: NAME=? after an accepted NAME=VALUE gives the value (or
// its canonical form), and setting that again is accepted and changes
// nothing.
func checkRoundTrip(t *testing.T, s *Server, target *settingsTarget, name, value string) {
	t.Helper()
	got, ok := s.run(name + "=?")
	if !ok {
		t.Fatalf("%s=%q accepted but %s=? fails: %s", name, value, name, got)
	}
	if plainText[name] && got != value {
		t.Fatalf("%s=%q reads back as %q", name, value, got)
	}
	if got == "?" {
		return // "?" cannot be set through the socket: NAME=? reads
	}
	state := target.state()
	if reply, ok := s.run(name + "=" + got); !ok {
		t.Fatalf("%s=%q reads back as %q, which is refused: %s", name, value, got, reply)
	}
	if again := target.state(); again != state {
		t.Fatalf("%s=%q reads back as %q, which sets another state:\n%s\nnot\n%s", name, value, got, again, state)
	}
}

// plainText are the knobs that keep their (trimmed) text as given.
var plainText = map[string]bool{
	"throttle-query": true, "throttle-http": true, "throttle-flag-file": true, "throttle-additional-flag-file": true,
}
