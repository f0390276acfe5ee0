package engine

import "time"

// CopyProgress is the part of an online ALTER's checkpoint (package
// migration's checkpointState embeds it) that `hotswap status` reads back:
// one definition for the writer and the reader, so neither can rename a
// field without the other.
type CopyProgress struct {
	CopyDone bool      `json:"copy_done,omitempty"`
	Copied   int64     `json:"copied"`
	Saved    time.Time `json:"saved"`
}

// BackfillProgress is the same for a backfill's checkpoint (package
// backfill).
type BackfillProgress struct {
	Done    bool      `json:"done,omitempty"`
	Changed int64     `json:"rows_changed"` // by all runs so far
	Covered int64     `json:"rows_covered"`
	Saved   time.Time `json:"saved"`
}
