package metrics

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/control"
)

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// TestServeMetricsAndStatus: each table of a run is a labelled series of
// every metric, read from the status at the scrape; /status is the status
// as status-json gives it; the Go and process metrics are there too.
func TestServeMetricsAndStatus(t *testing.T) {
	st := control.Status{State: "copying", Server: "db1:3306", Database: "shop", Table: "orders, items", Tables: []control.Status{
		{State: "copying", Database: "shop", Table: "orders", RowsCopied: 42, RowsEstimated: 100, Progress: 42, ChunkSize: 500,
			Backlog: 7, StreamLagMS: 1500, Throttled: true, ThrottleReason: "max-lag-millis", ETASeconds: 12.5,
			ChunkMS: 250, RowsPerSecond: 1234.5, BusyChunks: 3, ChecksumChunks: 17, ChecksumDiffering: 2},
		{State: "postponed", Database: "shop", Table: "items", RowsCopied: 9, Postponed: true, CutOverAttempts: 2, LastCutOverMS: 35},
	}}
	s, err := Serve("127.0.0.1:0", func() control.Status { return st })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := get(t, "http://"+s.Addr()+"/metrics")
	for _, want := range []string{
		`hotswap_rows_copied_total{database="shop",server="db1:3306",table="orders"} 42`,
		`hotswap_rows_copied_total{database="shop",server="db1:3306",table="items"} 9`,
		`hotswap_state{database="shop",server="db1:3306",state="copying",table="orders"} 1`,
		`hotswap_state{database="shop",server="db1:3306",state="postponed",table="items"} 1`,
		`hotswap_progress_ratio{database="shop",server="db1:3306",table="orders"} 0.42`,
		`hotswap_backlog_keys{database="shop",server="db1:3306",table="orders"} 7`,
		`hotswap_chunk_size_rows{database="shop",server="db1:3306",table="orders"} 500`,
		`hotswap_chunk_duration_seconds{database="shop",server="db1:3306",table="orders"} 0.25`,
		`hotswap_copy_rate_rows_per_second{database="shop",server="db1:3306",table="orders"} 1234.5`,
		`hotswap_busy_chunks_total{database="shop",server="db1:3306",table="orders"} 3`,
		`hotswap_checksum_chunks_total{database="shop",server="db1:3306",table="orders"} 17`,
		`hotswap_checksum_rows_differing{database="shop",server="db1:3306",table="orders"} 2`,
		`hotswap_stream_lag_seconds{database="shop",server="db1:3306",table="orders"} 1.5`,
		`hotswap_throttled{database="shop",reason="max-lag-millis",server="db1:3306",table="orders"} 1`,
		`hotswap_eta_seconds{database="shop",server="db1:3306",table="orders"} 12.5`,
		`hotswap_cut_over_postponed{database="shop",server="db1:3306",table="items"} 1`,
		`hotswap_cut_over_attempts_total{database="shop",server="db1:3306",table="items"} 2`,
		`hotswap_last_cut_over_seconds{database="shop",server="db1:3306",table="items"} 0.035`,
		"go_goroutines ", "process_cpu_seconds_total ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	st.Tables[0].RowsCopied = 43 // read at each scrape
	if got := get(t, "http://"+s.Addr()+"/metrics"); !strings.Contains(got, `hotswap_rows_copied_total{database="shop",server="db1:3306",table="orders"} 43`) {
		t.Error("a second scrape does not read the status again")
	}
	want, _ := json.Marshal(st)
	if got := strings.TrimSpace(get(t, "http://"+s.Addr()+"/status")); got != string(want) {
		t.Errorf("/status = %s\nwant the status-json %s", got, want)
	}
}

// TestServeRefusesABusyAddress: the address is bound before the run starts,
// so a taken one refuses it, naming the flag.
func TestServeRefusesABusyAddress(t *testing.T) {
	s, err := Serve("127.0.0.1:0", func() control.Status { return control.Status{} })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Serve(s.Addr(), func() control.Status { return control.Status{} }); err == nil || !strings.Contains(err.Error(), "--metrics-address") {
		t.Fatalf("a second Serve on %s: %v, want an error naming --metrics-address", s.Addr(), err)
	}
}

// TestServeManyRuns: one endpoint for the runs of a command (migrate): each
// run's tables are series told apart by server; a run that ended keeps its
// last status; a later run of the same table replaces it (a series sent twice
// would fail the scrape); /status is the list of runs.
func TestServeManyRuns(t *testing.T) {
	s, err := ServeMany("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	state := "copying"
	endA := s.Add(func() control.Status {
		return control.Status{State: state, Server: "a:3306", Database: "shop", Table: "orders"}
	})
	s.Add(func() control.Status {
		return control.Status{State: "revertible", Server: "b:3306", Database: "shop", Table: "orders"}
	})
	got := get(t, "http://"+s.Addr()+"/metrics")
	for _, want := range []string{`hotswap_state{database="shop",server="a:3306",state="copying",table="orders"} 1`,
		`hotswap_state{database="shop",server="b:3306",state="revertible",table="orders"} 1`} {
		if !strings.Contains(got, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	state = "done"
	endA()
	state = "copying" // read no more: the run has ended
	if got := get(t, "http://"+s.Addr()+"/metrics"); !strings.Contains(got, `server="a:3306",state="done",table="orders"} 1`) {
		t.Errorf("an ended run does not keep its last state:\n%s", got)
	}
	s.Add(func() control.Status {
		return control.Status{State: "applying", Server: "a:3306", Database: "shop", Table: "orders"}
	})
	got = get(t, "http://"+s.Addr()+"/metrics")
	if !strings.Contains(got, `server="a:3306",state="applying",table="orders"} 1`) || strings.Contains(got, `server="a:3306",state="done"`) {
		t.Errorf("a later run of the same table does not replace the earlier one:\n%s", got)
	}
	var list []control.Status
	if err := json.Unmarshal([]byte(get(t, "http://"+s.Addr()+"/status")), &list); err != nil || len(list) != 3 {
		t.Errorf("/status = %v (%v), want the list of the 3 runs", list, err)
	}
}
