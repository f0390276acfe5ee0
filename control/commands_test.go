package control

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestReadCommands(t *testing.T) {
	ts := startServer(t, Options{}, nil)

	help := ts.send(t, "help")
	for _, c := range []string{"help", "status", "status-json", "sup", "throttle", "pause", "no-throttle",
		"resume", "chunk-size=N", "nice-ratio=F", "max-lag-millis=N", "max-load=", "critical-load=",
		"throttle-query=", "throttle-http=", "throttle-control-replicas=", "NAME=?", "unpostpone", "cut-over", "panic"} {
		if !strings.Contains(help, "\n"+c) && !strings.HasPrefix(help, c) {
			t.Errorf("help lacks %q:\n%s", c, help)
		}
	}

	status := ts.send(t, "status")
	for _, want := range []string{"state:              copying", "shop.orders -> shop._orders_new",
		"12345 of ~100000 rows (12.3%)", "backlog:            5 keys", "stream lag:         0.1s",
		"throttled:          manual", "eta:                unknown", "elapsed:            1m1s",
		"cut-over postponed: no"} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}

	var got Status
	if err := json.Unmarshal([]byte(ts.send(t, "status-json")), &got); err != nil {
		t.Fatal(err)
	}
	if want := ts.fake.Status(); !reflect.DeepEqual(got, want) {
		t.Errorf("status-json = %+v, want %+v", got, want)
	}

	if got, want := ts.send(t, "sup"), "copy: 12345/100000 12.3%; backlog 5; lag 0.1s; state copying; throttled: manual"; got != want {
		t.Errorf("sup = %q, want %q", got, want)
	}
	if got := ts.send(t, "chunk-size=?"); got != "1000" {
		t.Errorf("chunk-size=? = %q, want 1000", got)
	}
	if cmds := ts.onCommand(5); len(cmds) != 5 {
		t.Errorf("OnCommand got %q, want the 5 commands", cmds)
	}
}

func TestStatusJSONNames(t *testing.T) {
	b, err := json.Marshal(Status{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"state", "database", "table", "shadow_table", "rows_copied", "rows_estimated",
		"progress_pct", "backlog", "stream_lag_ms", "replica_lag_ms", "throttled", "throttle_reason",
		"eta_seconds", "elapsed_seconds", "chunk_size", "cut_over_postponed"} {
		if !strings.Contains(string(b), `"`+k+`":`) {
			t.Errorf("status-json lacks %q: %s", k, b)
		}
	}
}

func TestThrottleCommands(t *testing.T) {
	ts := startServer(t, Options{}, nil)
	for _, c := range []struct {
		line string
		want bool
	}{{"no-throttle", false}, {"throttle", true}, {"resume", false}, {"pause", true}, {"  no-throttle \t", false}} {
		if got := ts.send(t, c.line); got != "OK" {
			t.Errorf("%q: reply %q, want OK", c.line, got)
		}
		if got := ts.fake.snapshot().throttled; got != c.want {
			t.Errorf("after %q throttled = %v, want %v", c.line, got, c.want)
		}
	}
	// nc from a Windows terminal, or telnet, ends lines with CRLF.
	if got := rawExchange(t, "unix", ts.SocketPath(), "throttle\r\n", true); got != "OK\n" {
		t.Errorf("throttle CRLF: reply %q", got)
	}
	ts.send(t, "resume")
	if got := ts.send(t, "sup"); !strings.HasSuffix(got, "throttled: no") {
		t.Errorf("sup after no-throttle = %q", got)
	}
}

func TestSetters(t *testing.T) {
	ts := startServer(t, Options{}, nil)
	for line, want := range map[string][2]string{
		"chunk-size=500":              {"chunk-size", "500"},
		"chunk-size = 600":            {"chunk-size", "600"},
		"nice-ratio=0.5":              {"nice-ratio", "0.5"},
		"max-lag-millis=2500":         {"max-lag-millis", "2500"},
		"max-load=Threads_running=25": {"max-load", "Threads_running=25"},
		"critical-load=Threads_running=800,Threads_connected=4000": {"critical-load", "Threads_running=800,Threads_connected=4000"},
		"throttle-query=SELECT COUNT(*) > 0 FROM ops.hold":         {"throttle-query", "SELECT COUNT(*) > 0 FROM ops.hold"},
		"throttle-http=http://127.0.0.1:8080/ok":                   {"throttle-http", "http://127.0.0.1:8080/ok"},
		"throttle-control-replicas=r1:3306,r2:3306":                {"throttle-control-replicas", "r1:3306,r2:3306"},
	} {
		if got := ts.send(t, line); got != "OK" {
			t.Errorf("%q: reply %q, want OK", line, got)
			continue
		}
		if got := ts.send(t, want[0]+"=?"); got != want[1] {
			t.Errorf("after %q, %s=? = %q, want %q", line, want[0], got, want[1])
		}
	}
	// An empty value clears a text knob.
	if got := ts.send(t, "throttle-query="); got != "OK" {
		t.Errorf("throttle-query=: reply %q", got)
	}
	if got := ts.send(t, "throttle-query=?"); got != "" {
		t.Errorf("throttle-query=? after clearing = %q", got)
	}
}

func TestBadCommandsChangeNothing(t *testing.T) {
	ts := startServer(t, Options{}, nil)
	before := ts.fake.snapshot()
	bad := map[string]string{
		"":                    "empty command",
		"   ":                 "empty command",
		"frobnicate":          `unknown command "frobnicate"`,
		"STATUS":              "unknown command",
		"status=1":            "status takes no value",
		"throttle=yes":        "throttle takes no value",
		"chunk-size=abc":      "want a whole number",
		"chunk-size=-5":       "want a whole number",
		"chunk-size=1.5":      "want a whole number",
		"chunk-size=":         "want a whole number",
		"max-lag-millis=1e3":  "want a whole number",
		"nice-ratio=NaN":      "want a number",
		"nice-ratio=-1":       "want a number",
		"=5":                  "bad command",
		"Chunk-Size=5":        "bad command",
		"unknown-thing=?":     `unknown setting "unknown-thing"`,
		"cut-over=":           "needs the table name",
		"panic=customers":     `names table "customers", but this migration is on "orders"`,
		"unpostpone=x.orders": "names table",
	}
	for line, want := range bad {
		reply := ts.send(t, line)
		wantPrefix(t, line, reply, "ERROR: ")
		if !strings.Contains(reply, want) {
			t.Errorf("%q: reply %q, want it to mention %q", line, reply, want)
		}
	}
	if after := ts.fake.snapshot(); after != before {
		t.Errorf("bad commands changed the target: %+v -> %+v", before, after)
	}
	// A value the Target itself refuses reaches it, and changes nothing.
	wantPrefix(t, "chunk-size=5", ts.send(t, "chunk-size=5"), "ERROR: chunk-size must be at least 10")
	wantPrefix(t, "no-such-knob=1", ts.send(t, "no-such-knob=1"), `ERROR: unknown setting "no-such-knob"`)
	if got := ts.send(t, "chunk-size=?"); got != "1000" {
		t.Errorf("chunk-size after refused values = %q", got)
	}
	if cmds := ts.onCommand(1); len(cmds) != 1 || cmds[0] != "chunk-size=?" {
		t.Errorf("OnCommand got %q, want only the successful chunk-size=?", cmds)
	}
}

func TestUnpostponeAndPanic(t *testing.T) {
	ts := startServer(t, Options{}, nil)
	if got := ts.send(t, "unpostpone"); got != "ERROR: the cut-over is not postponed" {
		t.Errorf("unpostpone while not postponed: %q", got)
	}
	for _, line := range []string{"unpostpone", "cut-over", "cut-over=orders", "unpostpone=shop.orders"} {
		ts.fake.setPostponed(true)
		if got := ts.send(t, "status"); !strings.Contains(got, "cut-over postponed: yes") {
			t.Errorf("status while postponed:\n%s", got)
		}
		if got := ts.send(t, line); got != "OK" {
			t.Errorf("%q: reply %q", line, got)
		}
	}
	if got := ts.fake.snapshot().released; got != 4 {
		t.Errorf("released %d cut-overs, want 4", got)
	}
	if got := ts.send(t, "panic"); got != "OK" {
		t.Errorf("panic: reply %q", got)
	}
	if got := ts.fake.snapshot().panicked; got != 1 {
		t.Errorf("Panic called %d times, want 1", got)
	}
}

func TestForcedNamedCutOverAndPanic(t *testing.T) {
	ts := startServer(t, Options{Table: "orders", ForceNamedCutOver: true, ForceNamedPanic: true}, nil)
	ts.fake.setPostponed(true)
	before := ts.fake.snapshot()
	for _, line := range []string{"cut-over", "unpostpone", "panic", "cut-over=customers", "panic=shop.customers", "panic="} {
		wantPrefix(t, line, ts.send(t, line), "ERROR: ")
	}
	if got := ts.send(t, "cut-over"); !strings.Contains(got, "cut-over=<table>") || strings.Contains(got, "orders") {
		t.Errorf("bare cut-over: reply %q should ask for the name without giving it", got)
	}
	if after := ts.fake.snapshot(); after != before {
		t.Errorf("refused commands changed the target: %+v -> %+v", before, after)
	}
	if help := ts.send(t, "help"); !strings.Contains(help, "cut-over=<table>") || !strings.Contains(help, "panic=<table>") {
		t.Errorf("help does not show the named forms:\n%s", help)
	}
	if got := ts.send(t, "cut-over=orders"); got != "OK" {
		t.Errorf("cut-over=orders: %q", got)
	}
	if got := ts.send(t, "panic=shop.orders"); got != "OK" {
		t.Errorf("panic=shop.orders: %q", got)
	}
	if s := ts.fake.snapshot(); s.released != 1 || s.panicked != 1 {
		t.Errorf("released %d, panicked %d; want 1 and 1", s.released, s.panicked)
	}
}

func TestTargetPanicIsAnError(t *testing.T) {
	ts := startServer(t, Options{}, nil)
	ts.fake.mu.Lock()
	ts.fake.panicOn = "status"
	ts.fake.mu.Unlock()
	wantPrefix(t, "status", ts.send(t, "status"), "ERROR: internal error")
	if got := ts.send(t, "chunk-size=?"); got != "1000" {
		t.Errorf("server after a panic: %q", got)
	}
}
