package engine

import (
	"context"
	"io"

	"github.com/hotswap/hotswap/applier"
)

// Reversing is the part of an engine that keeps the old table current after
// the cut-over, for a revert window (--revert-window): the changes to the
// table are streamed from the cut-over on and resynced into the old table
// with the column map reversed, so that a revert is one more cut-over.
type Reversing interface {
	// PrepareReverse readies, before the first cut-over attempt, what the
	// reverse stream needs to start exactly at the cut-over (PostgreSQL: a
	// publication on the shadow and a slot, never created under the
	// cut-over's lock). It refuses the window (job.Refused) when rows
	// written after the cut-over could not go back into the old table.
	PrepareReverse(ctx context.Context) error
	// Reverse is the revert window's side of the run, after a cut-over.
	Reverse(ctx context.Context) (Reverse, error)
	// DropReverse undoes PrepareReverse when no cut-over followed it, and
	// drops what a window stopped by a crash left (PostgreSQL: its slot).
	DropReverse(ctx context.Context) error
	// ResumeReverse rebuilds the window's side for a --resume of a run
	// stopped in its revert window (Plan.ResumeDone): cut is the window's
	// Position, stream a checkpointed RestartPosition of its stream. It
	// refuses (job.Refused) when the stream cannot restart there.
	ResumeReverse(ctx context.Context, cut, stream string) (Reverse, error)
}

// Reverse streams the changes made to the table since the cut-over into the
// old table, and swaps the old table back in on request. Its methods mean
// what Engine's of the same names mean, with the table (new schema) as the
// source and the old table as the shadow.
type Reverse interface {
	// Stream's RestartPosition: every change before it is in the old table
	// once the applier has covered a mark taken after reading it (as for
	// the forward checkpoint).
	Stream
	// Resync makes the old table's rows of keys equal to the table's over
	// the mapped columns; columns the ALTER dropped keep their values (a
	// row inserted since gets the column's default). A value the old
	// column cannot hold is an error naming the key and the column.
	Resync() applier.ResyncFunc
	ResyncReady() applier.ResyncFunc
	Attach(a *applier.Applier)
	// CutOverAttempt swaps back: the old table takes the table's name, the
	// table is kept under Names' rev. On error both are as they were.
	CutOverAttempt(ctx context.Context) error
	// Position is the stream position of the cut-over.
	Position() string
	// Names are the table, the old table and the name the table with the
	// new schema takes after a revert, as the user knows them.
	Names() (table, old, rev string)
	// PrintColumns prints the reverse column map.
	PrintColumns(out io.Writer)
	// DropReverted drops the table with the new schema after a revert
	// (--ok-to-drop-table).
	DropReverted(ctx context.Context) error
	// Release ends what the window holds on the server (PostgreSQL: the
	// slot, so no WAL is kept past the window, and the publication).
	Release(ctx context.Context) error
}
