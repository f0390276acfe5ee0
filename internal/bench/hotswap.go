package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hotswap/hotswap/control"
)

// startHotswap runs `hotswap alter` on table with the engine's ALTER and its
// control socket at socket, which status-json is polled on.
func startHotswap(ctx context.Context, e engine, c config, table, logPath, socket string) (*child, error) {
	conn, password := e.hotswapArgs()
	args := append([]string{"alter"}, conn...)
	args = append(args, "--table", table, "--alter", e.alter(), "--threads", fmt.Sprint(c.Threads),
		"--serve-socket-file", socket, "--execute")
	if c.ChunkSize > 0 {
		args = append(args, "--chunk-size", fmt.Sprint(c.ChunkSize))
	}
	if c.SkipChecksum {
		args = append(args, "--skip-checksum")
	}
	args = append(args, strings.Fields(c.HotswapFlags)...)
	ch, err := startChild(ctx, "hotswap alter", c.Bin, args, []string{"HOTSWAP_PASSWORD=" + password}, logPath, nil)
	if err != nil {
		return nil, fmt.Errorf("%w (run make build first)", err)
	}
	return ch, nil
}

// hotswapLog is what the bench reads back from a run's log: the lines that
// are not JSON (the summary hotswap prints on stdout), warnings and errors,
// and the cut-over as hotswap itself timed it.
type hotswapLog struct {
	Text            []string `json:"-"`
	Warnings        []string `json:"warnings,omitempty"`
	CutOverHeldMS   float64  `json:"cut_over_held_ms"`  // "cut-over done" held
	CutOverAttempts int      `json:"cut_over_attempts"` // "cut-over done" attempt
	ChecksumMS      float64  `json:"checksum_ms"`       // "checksum" took
	// "early checksum": rows compared during the copy, keys left to the point
	EarlyRows     int64 `json:"early_rows"`
	EarlyToTheEnd bool  `json:"early_to_the_end"`
	PointKeys     int   `json:"point_keys"`
	// "shadow indexes built" took, summed
	IndexBuildMS float64 `json:"index_build_ms"`
	RevertHeldMS float64 `json:"revert_held_ms,omitempty"` // "revert done" held
}

func readHotswapLog(path string) hotswapLog {
	var l hotswapLog
	f, err := os.Open(path)
	if err != nil {
		return l
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		var ev struct {
			Level   string  `json:"level"`
			Message string  `json:"message"`
			Error   string  `json:"error"`
			Held    float64 `json:"held"`
			Took    float64 `json:"took"`
			Attempt int     `json:"attempt"`
			Early   int64   `json:"rows_compared_early"`
			ToEnd   bool    `json:"to_the_end"`
			Keys    int     `json:"keys_to_compare"`
		}
		if !strings.HasPrefix(line, "{") || json.Unmarshal([]byte(line), &ev) != nil {
			if strings.TrimSpace(line) != "" {
				l.Text = append(l.Text, line)
			}
			continue
		}
		switch {
		case ev.Message == "revert done":
			l.RevertHeldMS = ev.Held
		case ev.Message == "cut-over done":
			l.CutOverHeldMS, l.CutOverAttempts = ev.Held, ev.Attempt
		case ev.Message == "checksum":
			l.ChecksumMS = ev.Took
		case ev.Message == "early checksum":
			l.EarlyRows, l.EarlyToTheEnd, l.PointKeys = ev.Early, ev.ToEnd, ev.Keys
		case ev.Message == "shadow indexes built" || ev.Message == "shadow index built":
			l.IndexBuildMS += ev.Took
		}
		if (ev.Level == "warn" || ev.Level == "error") && len(l.Warnings) < 10 {
			w := ev.Level + ": " + ev.Message
			if ev.Error != "" {
				w += ": " + ev.Error
			}
			l.Warnings = append(l.Warnings, w)
		}
	}
	return l
}

// statusSample is one status-json reply, at seconds since the child started.
type statusSample struct {
	At float64 `json:"at_s"`
	control.Status
}

// pollStatus asks the control socket for status-json every interval until
// the child exits; replies fail until hotswap has opened the socket.
func pollStatus(ctx context.Context, socket string, ch *child, interval time.Duration) (samples []statusSample, failures int) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ch.done:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var s statusSample
		var ok bool
		if s.Status, ok = statusOnce(ctx, socket); !ok {
			failures++
			continue
		}
		s.At = time.Since(ch.started).Seconds()
		samples = append(samples, s)
	}
}

// statusOnce asks the control socket for status-json once.
func statusOnce(ctx context.Context, socket string) (control.Status, bool) {
	rctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	var st control.Status
	reply, err := control.Send(rctx, socket, "status-json")
	return st, err == nil && json.Unmarshal([]byte(reply), &st) == nil
}
