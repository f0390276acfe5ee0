package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// writeSysbenchConfig writes the engine's connection as a sysbench
// --config-file (0600), so the password is on no command line.
func writeSysbenchConfig(dir string, e engine) (string, error) {
	path := filepath.Join(dir, e.name()+"-sysbench.conf")
	return path, os.WriteFile(path, []byte(strings.Join(e.sysbenchOptions(), "\n")+"\n"), 0o600)
}

// sysbenchPrepare creates and fills sbtest1 the standard way:
// `sysbench oltp_read_write --tables=1 --table-size=rows prepare`.
func sysbenchPrepare(ctx context.Context, c config, conf, logPath string) error {
	args := []string{"oltp_read_write", "--config-file=" + conf, "--tables=1", fmt.Sprintf("--table-size=%d", c.Rows), "prepare"}
	ch, err := startChild(ctx, "sysbench prepare", c.Sysbench, args, nil, logPath, nil)
	if err != nil {
		return fmt.Errorf("%w (install it with: make bench-setup, or apt-get install -y sysbench)", err)
	}
	return ch.wait()
}

// report is one of sysbench's --report-interval=1 lines, stamped when it was
// read (sysbench writes them as they are due; the interval is the second
// before At). P95 is the latency of the transactions that completed in the
// interval, queue time included (--rate), 0 when none did.
type report struct {
	At       time.Time
	TPS      float64
	P95MS    float64
	ErrPS    float64
	ReconnPS float64
}

var (
	reportLine = regexp.MustCompile(`^\[ *(\d+)s *\] thds: \d+ tps: ([\d.]+) .*lat \(ms,95%\): ([\d.]+) err/s:? ([\d.]+) reconn/s:? ([\d.]+)`)
	queueLine  = regexp.MustCompile(`^\[ *\d+s *\] queue length: (\d+), concurrency: (\d+)`)
)

// sysbenchLoad is the standard write load, `sysbench oltp_write_only
// --rate=N --threads=T --report-interval=1 run` on sbtest1, running until
// stopped.
type sysbenchLoad struct {
	ch *child

	mu       sync.Mutex
	reports  []report
	queueMax int
	fatal    []string // FATAL/ALERT lines: a thread that died on an error
}

func startSysbench(ctx context.Context, c config, conf, logPath string) (*sysbenchLoad, error) {
	l := &sysbenchLoad{}
	args := []string{"oltp_write_only", "--config-file=" + conf, "--tables=1", fmt.Sprintf("--table-size=%d", c.Rows),
		fmt.Sprintf("--rate=%d", c.LoadRate), fmt.Sprintf("--threads=%d", c.LoadThreads),
		"--time=86400", "--report-interval=1", "--percentile=95", "run"}
	ch, err := startChild(ctx, "sysbench run", c.Sysbench, args, nil, logPath, l.line)
	if err != nil {
		return nil, fmt.Errorf("%w (install it with: make bench-setup, or apt-get install -y sysbench)", err)
	}
	l.ch = ch
	return l, nil
}

func (l *sysbenchLoad) line(s string) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if m := reportLine.FindStringSubmatch(s); m != nil {
		f := func(i int) float64 { v, _ := strconv.ParseFloat(m[i], 64); return v }
		l.reports = append(l.reports, report{At: now, TPS: f(2), P95MS: f(3), ErrPS: f(4), ReconnPS: f(5)})
	} else if m := queueLine.FindStringSubmatch(s); m != nil {
		q, _ := strconv.Atoi(m[1])
		l.queueMax = max(l.queueMax, q)
	} else if (strings.Contains(s, "FATAL") || strings.Contains(s, "ALERT")) && len(l.fatal) < 10 {
		l.fatal = append(l.fatal, s)
	}
}

// exitedEarly reports whether sysbench has ended by itself (a thread died on
// an error it does not ignore, or it could not connect).
func (l *sysbenchLoad) exitedEarly() bool {
	select {
	case <-l.ch.done:
		return true
	default:
		return false
	}
}

// stop ends sysbench (SIGTERM to its group) and returns what it reported.
func (l *sysbenchLoad) stop() (reports []report, queueMax int, fatal []string, early bool) {
	early = l.exitedEarly()
	l.ch.terminate(syscall.SIGTERM)
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reports, l.queueMax, l.fatal, early
}

// writersStats are the writers' figures for one step under load.
type writersStats struct {
	Rate      int     `json:"rate_tx_s"`
	Threads   int     `json:"threads"`
	BaseP95MS float64 `json:"baseline_worst_p95_ms"` // worst 1 s p95 of the warm-up
	P95MS     float64 `json:"worst_p95_ms"`          // worst 1 s p95 from the step's start to its end + the drain margin
	P95OK     bool    `json:"p95_ok"`
	TPS       float64 `json:"tps_during_step"` // mean of the step's intervals
	// Errors is what sysbench counted for the whole load (warm-up and drain
	// included): transactions failed on an error it retries (deadlock, lock
	// wait timeout, serialization failure), plus one per thread that died
	// on another.
	Errors     int64      `json:"app_errors"`
	ErrorsOK   bool       `json:"app_errors_ok"`
	Reconnects int64      `json:"reconnects"`
	QueueMax   int        `json:"max_queue_length"`
	Fatal      []string   `json:"fatal,omitempty"`
	Died       bool       `json:"sysbench_exited_early,omitempty"`
	Intervals  []interval `json:"intervals"`
}

// interval is one report in the JSON.
type interval struct {
	At    float64 `json:"at_s"` // end of the interval, seconds since the step started
	TPS   float64 `json:"tps"`
	P95MS float64 `json:"p95_ms"`
	ErrPS float64 `json:"err_s"`
}

// writersDuring summarizes the reports for a step that ran from start to
// end; intervals ending up to drain after end count for the step (writes
// held by the step complete then, their latency includes the wait).
func writersDuring(c config, reports []report, queueMax int, fatal []string, early bool, start, end time.Time, drain time.Duration) *writersStats {
	w := &writersStats{Rate: c.LoadRate, Threads: c.LoadThreads, QueueMax: queueMax, Fatal: fatal, Died: early}
	var errs, reconns float64
	var n int
	for _, r := range reports {
		errs += r.ErrPS
		reconns += r.ReconnPS
		from := r.At.Add(-time.Second)
		switch {
		case r.At.Before(start):
			w.BaseP95MS = max(w.BaseP95MS, r.P95MS)
		case from.Before(end.Add(drain)):
			w.P95MS = max(w.P95MS, r.P95MS)
			w.TPS += r.TPS
			n++
		}
		w.Intervals = append(w.Intervals, interval{r.At.Sub(start).Seconds(), r.TPS, r.P95MS, r.ErrPS})
	}
	if n > 0 {
		w.TPS /= float64(n)
	}
	w.Errors = int64(math.Round(errs)) + int64(len(fatal))
	if early && len(fatal) == 0 {
		w.Errors++ // it died without saying why in a line we know
	}
	w.Reconnects = int64(math.Round(reconns))
	return w
}
