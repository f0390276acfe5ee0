package migration

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotswap/hotswap/checksum"
)

// Kinds of difference a standalone checksum reports for a key.
const (
	DiffMissing = "missing from the shadow"
	DiffExtra   = "only in the shadow"
	DiffChanged = "values differ"
)

// Report is what a standalone checksum (Checksum) found.
type Report struct {
	Table, Shadow string   // as the user knows them: database.table (PostgreSQL: schema.table)
	KeyColumns    []string // the key rows are matched by (the table's names), naming the keys in Diffs
	Columns       []string // the columns compared (the table's names)
	LeftOut       []string // columns not compared, each with the reason
	Threads       int
	Chunks        int
	Diffs         []Diff // in key order; at most MaxDiffs
}

// Diff is one row that differs between the table and its shadow.
type Diff struct {
	Key  []any
	Kind string // DiffMissing, DiffExtra, DiffChanged; "" when not looked up (past ShownDiffs)
}

// MaxDiffs bounds the differing rows a checksum collects: past it, at least
// that many differ. ShownDiffs of them are printed, each with its kind.
const (
	MaxDiffs   = maxDiffs
	ShownDiffs = 20
)

// Equal says whether no row differs.
func (r Report) Equal() bool { return len(r.Diffs) == 0 }

// Differing is "N rows differ" (or "at least N" once the limit is reached).
func (r Report) Differing() string {
	n := len(r.Diffs)
	switch {
	case n >= MaxDiffs:
		return fmt.Sprintf("at least %d rows differ", n)
	case n == 1:
		return "1 row differs"
	}
	return fmt.Sprintf("%d rows differ", n)
}

// KeyText shows a key with its column names: id=17, or (a=1, b="x").
func (r Report) KeyText(key []any) string {
	parts := make([]string, len(key))
	for i, v := range key {
		name := "?"
		if i < len(r.KeyColumns) {
			name = r.KeyColumns[i]
		}
		parts[i] = name + "=" + keyValueText(v)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// keyPresence tells, inside a snapshot, which of the two tables holds a key
// (mysql.Snapshot and postgres.Snapshot).
type keyPresence interface {
	Presence(ctx context.Context, key []any) (inSource, inShadow bool, err error)
}

// Checksum compares cfg.Table with shadow (""; the shadow a run would
// create, _<table>_new) over the columns both have, matching rows by a key
// both have, chunk by chunk on cfg.Threads connections that all see one
// moment: on MySQL and MariaDB writers of both tables are held (LOCK TABLES
// ... READ) while the snapshots start; on PostgreSQL one snapshot is
// exported and imported by the other connections. It writes the report to
// cfg.Out. A *Refused error means nothing was compared (bad input, a table
// missing, no common key, a run live on the table).
func Checksum(ctx context.Context, cfg Config, shadow string) (Report, error) {
	m := New(cfg)
	if m.engErr != nil {
		return Report{}, m.engErr
	}
	defer m.eng.Close(false)
	if m.cfg.Table == "" {
		return Report{}, refuse("no table to compare: name it with --table")
	}
	if err := m.eng.Connect(ctx); err != nil {
		return Report{}, err
	}
	t, err := m.eng.ChecksumTarget(ctx, shadow)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Table: m.tableName(), Shadow: t.Shadow, KeyColumns: t.KeyColumns, Columns: t.Columns,
		LeftOut: t.LeftOut, Threads: m.cfg.Threads}
	t0 := time.Now()
	snaps, closeSnaps, err := m.openPoint(ctx, t.Open)
	if err != nil {
		return rep, err
	}
	defer closeSnaps()
	chunk := m.cfg.ChunkSize
	if chunk <= 0 {
		chunk = defaultChecksumChunk
	}
	res, err := checksum.Compare(ctx, snaps, chunk, MaxDiffs)
	if err != nil {
		return rep, err
	}
	rep.Chunks = res.Chunks
	slices.SortFunc(res.Diffs, compareKeys)
	for i, key := range res.Diffs {
		d := Diff{Key: key}
		if p, ok := snaps[0].(keyPresence); ok && i < ShownDiffs {
			if d.Kind, err = diffKind(ctx, p, key); err != nil {
				return rep, err
			}
		}
		rep.Diffs = append(rep.Diffs, d)
	}
	m.cfg.Log.Info().Str("table", rep.Table).Str("shadow", rep.Shadow).Int("chunks", rep.Chunks).
		Int("differing", len(rep.Diffs)).Dur("took", time.Since(t0)).Msg("checksum")
	rep.print(m.cfg.Out)
	return rep, nil
}

// defaultChecksumChunk is the rows per checksum chunk when cfg.ChunkSize is 0.
const defaultChecksumChunk = 10_000

func diffKind(ctx context.Context, p keyPresence, key []any) (string, error) {
	inSource, inShadow, err := p.Presence(ctx, key)
	switch {
	case err != nil:
		return "", err
	case inSource && inShadow:
		return DiffChanged, nil
	case inSource:
		return DiffMissing, nil
	case inShadow:
		return DiffExtra, nil
	}
	return "", nil
}

func (r Report) print(out io.Writer) {
	fmt.Fprintf(out, "Compared %s with %s at one consistent moment: %s on %d connections.\n",
		r.Table, r.Shadow, plural(r.Chunks, "chunk"), r.Threads)
	fmt.Fprintf(out, "Key (%s); %s compared: %s.\n", strings.Join(r.KeyColumns, ", "), plural(len(r.Columns), "column"), strings.Join(r.Columns, ", "))
	if len(r.LeftOut) > 0 {
		fmt.Fprintf(out, "Not compared: %s.\n", strings.Join(r.LeftOut, "; "))
	}
	if r.Equal() {
		fmt.Fprintf(out, "Equal: no row differs.\n")
		return
	}
	fmt.Fprintf(out, "%s; first differing key %s.\n", upperFirst(r.Differing()), r.KeyText(r.Diffs[0].Key))
	shown := r.Diffs[:min(len(r.Diffs), ShownDiffs)]
	width := 0
	for _, d := range shown {
		width = max(width, len(r.KeyText(d.Key)))
	}
	for _, d := range shown {
		kind := d.Kind
		if kind == "" {
			kind = "differs"
		}
		fmt.Fprintf(out, "  %-*s  %s\n", width, r.KeyText(d.Key), kind)
	}
	if n := len(r.Diffs) - len(shown); n > 0 {
		fmt.Fprintf(out, "  ... and %d more\n", n)
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// keyValueText shows one key value: numbers as they are, text quoted.
func keyValueText(v any) string {
	s, isNum := keyValue(v)
	if isNum || v == nil {
		return s
	}
	return strconv.Quote(s)
}

// keyValue is a key value as text (drivers return numbers as int64 or as
// the text of the number) and whether that is a number.
func keyValue(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "NULL", false
	case []byte:
		return keyValue(string(x))
	case string:
		_, err := strconv.ParseFloat(x, 64)
		return x, err == nil
	case time.Time:
		return x.Format(time.RFC3339Nano), false
	case int64, int32, int16, int8, int, uint64, uint32, uint16, uint8, uint, float64, float32:
		return fmt.Sprint(x), true
	}
	return fmt.Sprint(v), false
}

// compareKeys orders keys for the report: numbers by value, the rest as text.
func compareKeys(a, b []any) int {
	for i := range min(len(a), len(b)) {
		sa, na := keyValue(a[i])
		sb, nb := keyValue(b[i])
		var c int
		if na && nb {
			c = compareNumbers(sa, sb)
		} else {
			c = strings.Compare(sa, sb)
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func compareNumbers(a, b string) int {
	if x, err := strconv.ParseInt(a, 10, 64); err == nil {
		if y, err := strconv.ParseInt(b, 10, 64); err == nil {
			return cmp.Compare(x, y)
		}
	}
	x, _ := strconv.ParseFloat(a, 64)
	y, _ := strconv.ParseFloat(b, 64)
	return cmp.Compare(x, y)
}
