// Package metrics serves runs' Prometheus metrics (/metrics) and their
// status (/status, the control socket's status-json) over HTTP, for
// dashboards and alerts. Every value is read from a run's status at
// scrape time: nothing is kept twice. One endpoint serves one run (alter,
// backfill), or every run of a command (migrate: each online statement of
// each server, the revert windows), each table a labelled series.
package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server is the HTTP endpoint.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
	many bool // /status lists the runs (ServeMany)

	mu   sync.Mutex
	runs []func() control.Status // in the order they were added
}

var _ control.Board = (*Server)(nil)

// Serve listens on addr (host:port; port 0 picks one) and serves status's
// metrics and JSON until Close. A busy or bad address is an error before
// anything else of the run starts.
func Serve(addr string, status func() control.Status) (*Server, error) {
	s, err := listen(addr, false)
	if err == nil {
		s.Add(status)
	}
	return s, err
}

// ServeMany is Serve for the runs a command adds and ends (Add) one after
// another or at once; /status is then the list of their statuses.
func ServeMany(addr string) (*Server, error) { return listen(addr, true) }

func listen(addr string, many bool) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-address %s: %w", addr, err)
	}
	s := &Server{ln: ln, done: make(chan struct{}), many: many}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), &runCollector{statuses: s.statuses})
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/status", s.serveStatus)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Add reports a run's status from now on. end keeps its last status (a
// finished statement of a migrate stays visible, done or failed, until the
// command ends); a later run of the same table replaces it.
func (s *Server) Add(status func() control.Status) (end func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := len(s.runs)
	s.runs = append(s.runs, status)
	return func() {
		last := status()
		s.mu.Lock()
		defer s.mu.Unlock()
		s.runs[i] = func() control.Status { return last }
	}
}

// statuses reads every run's status, in the order they were added.
func (s *Server) statuses() []control.Status {
	s.mu.Lock()
	runs := append([]func() control.Status(nil), s.runs...)
	s.mu.Unlock()
	out := make([]control.Status, len(runs))
	for i, f := range runs {
		out[i] = f()
	}
	return out
}

func (s *Server) serveStatus(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	all := s.statuses()
	if s.many {
		_ = json.NewEncoder(w).Encode(all)
		return
	}
	var one control.Status
	if len(all) > 0 {
		one = all[0]
	}
	_ = json.NewEncoder(w).Encode(one)
}

// Addr is the address it listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops serving, waiting a moment for a scrape in progress.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	<-s.done
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
