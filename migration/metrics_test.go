package migration_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/migration"
)

// scrape reads the metrics endpoint; "" when it does not answer.
func scrape(addr, path string) string {
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

var copiedMetric = regexp.MustCompile(`hotswap_rows_copied_total\{database="[^"]*",server="127\.0\.0\.1:\d+",table="t"\} (\d+)`)

// TestMetricsEndpointDuringARun scrapes --metrics-address during a real
// migration: rows copied rise while the state is copying, the state moves
// to postponed (with the postponed gauge), /status says what the control
// socket's status-json says, then done (kept up by --metrics-linger until
// the run's context ends), and the endpoint closes with the run.
func TestMetricsEndpointDuringARun(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM seq_1_to_200000")
	cfg := e.config("t", "ADD COLUMN w INT")
	cfg.ChunkSize = 500
	cfg.Threads = 1
	cfg.MetricsAddress = "127.0.0.1:0"
	cfg.MetricsLinger = 5 * time.Minute
	cfg.ServeSocketFile = filepath.Join(shortDir(t), "hs.sock")
	flag := flagFile(t)
	cfg.PostponeFlagFile = flag
	m := migration.New(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	eventually(t, 30*time.Second, "the metrics endpoint", func() bool { return m.MetricsAddr() != "" })
	addr := m.MetricsAddr()
	var seen []int64
	for m.State() != "postponed" {
		body := scrape(addr, "/metrics")
		if v := copiedMetric.FindStringSubmatch(body); v != nil && strings.Contains(body, `state="copying",table="t"} 1`) {
			n, _ := strconv.ParseInt(v[1], 10, 64)
			seen = append(seen, n)
		}
		select {
		case err := <-done:
			t.Fatalf("the run ended before its cut-over was postponed: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	rising := 0
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] {
			t.Fatalf("rows copied went down while copying: %v", seen)
		}
		if seen[i] > seen[i-1] {
			rising++
		}
	}
	if rising < 2 {
		t.Errorf("rows copied rose %d times over %d scrapes while copying, want at least twice: %v", rising, len(seen), seen)
	}
	body := scrape(addr, "/metrics")
	for _, want := range []string{`state="postponed",table="t"} 1`, `hotswap_cut_over_postponed{database="` + e.db + `",server="` + m.Status().Server + `",table="t"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics while postponed lacks %q", want)
		}
	}
	sock := statusOf(t, cfg.ServeSocketFile)
	var served control.Status
	if err := json.Unmarshal([]byte(scrape(addr, "/status")), &served); err != nil {
		t.Fatal(err)
	}
	if served.State != sock.State || served.Table != sock.Table || served.RowsCopied != sock.RowsCopied ||
		served.RowsEstimated != sock.RowsEstimated || !served.Postponed || !sock.Postponed {
		t.Errorf("/status %+v differs from status-json %+v", served, sock)
	}
	if err := os.Remove(flag); err != nil {
		t.Fatal(err)
	}
	// --metrics-linger: the endpoint outlives the run, serving done, until the run's context ends
	eventually(t, time.Minute, "the done state on /metrics", func() bool {
		return strings.Contains(scrape(addr, "/metrics"), `state="done",table="t"} 1`)
	})
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the run failed: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancelling the context did not end the metrics linger")
	}
	if st := m.Status(); st.CutOverAttempts != 1 || st.LastCutOverMS <= 0 || st.ChecksumChunks == 0 || st.RowsPerSecond <= 0 {
		t.Errorf("after one cut-over the status says %d attempts, the last %d ms, %d checksum chunks, %.0f rows/s",
			st.CutOverAttempts, st.LastCutOverMS, st.ChecksumChunks, st.RowsPerSecond)
	}
	if body := scrape(addr, "/metrics"); body != "" {
		t.Error("the metrics endpoint still answers after the run")
	}
}
