package control

// Target is the running migration as the control server sees it. Each
// connection is served on its own goroutine, so every method may be called
// concurrently, with the migration's own work and with itself. Methods must
// return promptly: Serve waits for them when it shuts down.
type Target interface {
	Status() Status
	// SetThrottle holds (true) or releases (false) the copy and the applier
	// on the DBA's request: throttle/pause, no-throttle/resume.
	SetThrottle(on bool)
	// Set changes a knob (chunk-size, nice-ratio, max-lag-millis, max-load,
	// critical-load, throttle-query, throttle-control-replicas,
	// throttle-http, ...). An error means a bad name or value, and that
	// nothing changed.
	Set(name, value string) error
	// Get reads a knob's current value; an unknown name is an error.
	Get(name string) (string, error)
	// Unpostpone releases a postponed cut-over; the error's text is the reply
	// (for example when nothing is postponed).
	Unpostpone() error
	// Panic aborts the run now, leaving the tables for a resume.
	Panic()
}

// Status is what status, status-json and sup report.
type Status struct {
	// State is copying, applying, postponed, verifying, cutting-over, done
	// or failed.
	State          string  `json:"state"`
	Server         string  `json:"server,omitempty"` // host:port
	Database       string  `json:"database"`
	Table          string  `json:"table"`
	Shadow         string  `json:"shadow_table"`
	RowsCopied     int64   `json:"rows_copied"`
	RowsChanged    int64   `json:"rows_changed,omitempty"` // a backfill's rows changed (RowsCopied: the rows its chunks spanned)
	RowsEstimated  int64   `json:"rows_estimated"`
	Progress       float64 `json:"progress_pct"`
	Backlog        int     `json:"backlog"` // changed keys not yet applied
	StreamLagMS    int64   `json:"stream_lag_ms"`
	ReplicaLagMS   int64   `json:"replica_lag_ms"`
	Throttled      bool    `json:"throttled"`
	ThrottleReason string  `json:"throttle_reason"`
	ETASeconds     float64 `json:"eta_seconds"` // -1: unknown
	// ETAReason says why the ETA rose lately (the copy was throttled or its
	// chunks were busy), or why it is unknown.
	ETAReason      string  `json:"eta_reason,omitempty"`
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	ChunkSize      int     `json:"chunk_size"`
	ChunkMS        int64   `json:"chunk_ms"`        // how long the last chunk took
	RowsPerSecond  float64 `json:"rows_per_second"` // the copy's average rate in this process
	// BusyChunks counts chunk attempts that found rows locked and waited.
	BusyChunks int64 `json:"busy_chunks,omitempty"`
	// ChecksumChunks counts the key ranges (and batches of keys) compared
	// so far, early and at the consistent point; ChecksumDiffering is the
	// rows the last comparison at the consistent point found differing
	// (they are resynced and compared once more; still differing, the run
	// fails before its cut-over).
	ChecksumChunks    int64 `json:"checksum_chunks,omitempty"`
	ChecksumDiffering int   `json:"checksum_rows_differing,omitempty"`
	Postponed         bool  `json:"cut_over_postponed"`
	// CutOverAttempts counts the cut-over attempts so far; LastCutOverMS is
	// how long the last one took (its lock hold, when it swapped the tables).
	CutOverAttempts int   `json:"cut_over_attempts,omitempty"`
	LastCutOverMS   int64 `json:"last_cut_over_ms,omitempty"`
	// A run in its revert window (state revertible): the seconds left, how
	// far the reverse stream is behind, the keys waiting to go back into
	// the old table, and the key resyncs into it since the cut-over.
	RevertLeftSeconds float64 `json:"revert_window_left_seconds,omitempty"`
	ReverseLagMS      int64   `json:"reverse_lag_ms,omitempty"`
	ReverseBacklog    int     `json:"reverse_backlog,omitempty"`
	RevertRows        int64   `json:"reverse_keys_applied,omitempty"`
	// Tables: a run of several tables (alter --statement) reports each one
	// here; the fields above are then the whole run's (Table names them all).
	Tables []Status `json:"tables,omitempty"`
}

// Reversible is a run with a revert window: revert swaps the old table back
// in, finalize closes the window. Unlike Target's methods, Revert returns
// only once the swap is done or failed (a cut-over: seconds); the client
// waits for the reply. A run without a window answers both with an error.
type Reversible interface {
	Revert() error
	Finalize() error
	// RevertPlan says what a revert would do (revert-plan): the tables,
	// the reverse column map, the rows written since the cut-over.
	RevertPlan() (string, error)
}
