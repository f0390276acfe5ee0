package main

// etaRiseTolerance is how much the ETA may rise between two polls before it
// counts as grown: hotswap reports it in seconds, so a smaller rise is noise.
const etaRiseTolerance = 1.0

// progressStats is what the status-json polls say about the copy's progress
// while rows remain: the longest time rows_copied did not move, and whether
// the ETA ever grew.
type progressStats struct {
	Polls           int           `json:"status_polls"`
	PollFailures    int           `json:"status_poll_failures"` // before the socket was up, mostly
	CopyingSeconds  float64       `json:"copying_seconds"`      // first to last poll in state copying
	LongestStallSec float64       `json:"longest_copy_stall_seconds"`
	StallAtRows     int64         `json:"longest_stall_at_rows_copied"`
	ETARises        int           `json:"eta_rises"` // polls whose ETA exceeded the previous one by more than etaRiseTolerance
	ETAMaxRiseSec   float64       `json:"eta_max_rise_seconds"`
	MaxStreamLagMS  int64         `json:"max_stream_lag_ms"`
	MaxBacklog      int           `json:"max_backlog"`
	States          []stateChange `json:"states"`
}

type stateChange struct {
	State string  `json:"state"`
	At    float64 `json:"at_s"`
}

// analyzeProgress reads the polls, in order.
func analyzeProgress(samples []statusSample, failures int) progressStats {
	p := progressStats{Polls: len(samples), PollFailures: failures}
	var (
		copying          bool
		firstCopy, moved float64
		lastRows         int64
		prevETA          = -1.0
	)
	for _, s := range samples {
		p.MaxStreamLagMS = max(p.MaxStreamLagMS, s.StreamLagMS)
		p.MaxBacklog = max(p.MaxBacklog, s.Backlog)
		if len(p.States) == 0 || p.States[len(p.States)-1].State != s.State {
			p.States = append(p.States, stateChange{State: s.State, At: s.At})
		}
		if s.State != "copying" {
			if copying { // the copy ended: its last stretch counts up to this poll
				p.CopyingSeconds = s.At - firstCopy
			}
			copying, prevETA = false, -1
			continue
		}
		if !copying {
			copying, firstCopy, moved, lastRows = true, s.At, s.At, s.RowsCopied
		}
		p.CopyingSeconds = s.At - firstCopy
		if s.RowsCopied != lastRows {
			moved, lastRows = s.At, s.RowsCopied
		} else if stall := s.At - moved; stall > p.LongestStallSec {
			p.LongestStallSec, p.StallAtRows = stall, s.RowsCopied
		}
		if s.RowsEstimated > 0 && s.RowsCopied >= s.RowsEstimated {
			prevETA = -1 // no rows remain (by the estimate)
			continue
		}
		if s.ETASeconds >= 0 {
			if prevETA >= 0 && s.ETASeconds-prevETA > etaRiseTolerance {
				p.ETARises++
				p.ETAMaxRiseSec = max(p.ETAMaxRiseSec, s.ETASeconds-prevETA)
			}
			prevETA = s.ETASeconds
		}
	}
	return p
}
