package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/hotswap/hotswap/control"
)

// toolRevert is the step that migrates with --revert-window under the load,
// keeps the window open for revertHold, then reverts: the figures of issue 15
// (the reverse lag under the load, the revert's time and lock hold). Its
// time is not compared with the blocking ALTER.
const toolRevert = "hotswap + revert"

// revertHold is how long the bench keeps the window open before reverting.
const revertHold = 10 * time.Second

// revertStats are the revert step's own figures.
type revertStats struct {
	ReverseLagP95MS int64   `json:"reverse_lag_p95_ms"` // over the status samples in the window
	ReverseLagMaxMS int64   `json:"reverse_lag_max_ms"`
	KeysSentBack    int64   `json:"keys_sent_back"`
	RevertSeconds   float64 `json:"revert_seconds"` // from the revert command to its reply (catch-up and swap back)
	RevertHeldMS    float64 `json:"revert_held_ms"` // the swap back's lock, as hotswap timed it
}

// runRevertStep runs hotswap with a revert window, polls its status in the
// window, and reverts after revertHold.
func runRevertStep(ctx context.Context, e engine, c config, dir, table, name string, s *stepResult) (time.Duration, error) {
	socket := filepath.Join(dir, name+".sock")
	s.Command = fmt.Sprintf("hotswap alter --table %s --alter %q --revert-window 10m --execute; then revert after %s", table, e.alter(), revertHold)
	step("%s %s: %s", e.label(), s.title(), s.Command)
	cc := c
	cc.HotswapFlags += " --revert-window 10m"
	ch, err := startHotswap(ctx, e, cc, table, filepath.Join(dir, name+".log"), socket)
	if err != nil {
		return 0, err
	}
	defer ch.terminate(syscall.SIGTERM) // a no-op once it has exited
	r := &revertStats{}
	lags, err := watchWindow(ctx, socket, ch, r)
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	reply, err := control.SendWait(rctx, socket, "revert")
	cancel()
	r.RevertSeconds = time.Since(t0).Seconds()
	if err != nil {
		return 0, fmt.Errorf("revert: %v %s", err, reply)
	}
	if err := ch.wait(); err != nil {
		return 0, err
	}
	l := readHotswapLog(ch.logPath)
	r.RevertHeldMS = l.RevertHeldMS
	slices.Sort(lags)
	if len(lags) > 0 {
		r.ReverseLagP95MS, r.ReverseLagMaxMS = lags[len(lags)*95/100], lags[len(lags)-1]
	}
	s.Revert = r
	printText(l)
	fmt.Printf("    window: reverse lag p95 %d ms, max %d ms, %d keys sent back; revert %.2f s (lock held %.0f ms)\n",
		r.ReverseLagP95MS, r.ReverseLagMaxMS, r.KeysSentBack, r.RevertSeconds, r.RevertHeldMS)
	return ch.took(), nil
}

// watchWindow waits for the window, then samples the reverse lag for
// revertHold.
func watchWindow(ctx context.Context, socket string, ch *child, r *revertStats) (lags []int64, err error) {
	var opened time.Time
	for {
		select {
		case <-ch.done:
			return nil, fmt.Errorf("hotswap ended before its revert window was over:\n%s", logTail(ch.logPath, 15))
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(statusInterval):
		}
		st, ok := statusOnce(ctx, socket)
		if !ok || st.State != "revertible" {
			continue
		}
		if opened.IsZero() {
			opened = time.Now()
		}
		lags = append(lags, st.ReverseLagMS)
		r.KeysSentBack = st.RevertRows
		if time.Since(opened) >= revertHold {
			return lags, nil
		}
	}
}
