package backfill

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// dryRun counts the rows --where selects in the first chunks, prints the
// statements it would run and warns when re-running a chunk may not be
// harmless. Nothing is changed.
func (b *Backfill) dryRun(ctx context.Context) error {
	out, src := b.cfg.Out, b.eng.Chunks()
	size := b.cfg.ChunkSize
	if size <= 0 {
		size = 1000
	}
	fmt.Fprintf(out, "Dry run: nothing was changed.\nTable %s, about %d rows, cut into chunks by its key (%d rows a chunk in this sample; --chunk-size fixes it, else sized to --chunk-time).\n",
		b.tableName(), b.estimate.Load(), size)
	var lo []any = b.start
	var sampled, matched int64
	exact := int64(-1) // the rows that would change, when the sample covers the whole table
	for i := 1; i <= b.cfg.DrySample; i++ {
		hi, ok, err := src.NextBoundary(ctx, lo, size)
		if err != nil {
			return err
		}
		if !ok {
			hi = nil
		}
		n, err := src.Count(ctx, lo, hi)
		if err != nil {
			return fmt.Errorf("count the rows of chunk %d: %w", i, err)
		}
		stmt, args := src.Statement(lo, hi)
		if i == 1 {
			fmt.Fprintf(out, "Each chunk runs, in a transaction of its own:\n  %s\n", stmt)
		}
		fmt.Fprintf(out, "chunk %d, key (%v .. %v]: %d rows match (arguments %v)\n", i, lo, hi, n, args)
		if !ok { // the last chunk reaches the table's end: the sample covers the rest exactly
			exact = matched + n
			break
		}
		matched += n
		sampled += int64(size)
		lo = hi
	}
	switch estimate := b.estimate.Load(); {
	case exact >= 0:
		fmt.Fprintf(out, "The sample reaches the end of the table: %d rows would change.\n", exact)
	case sampled > 0 && estimate > 0:
		fmt.Fprintf(out, "In the sample %d of %d rows match: about %d of the table's rows would change.\n",
			matched, sampled, int64(float64(matched)/float64(sampled)*float64(estimate)))
	}
	for _, w := range idempotenceWarnings(b.cfg) {
		fmt.Fprintf(out, "WARNING: %s\n", w)
	}
	b.printSchedule()
	fmt.Fprintf(out, "Run again with --execute to change the rows.\n")
	b.SetState(StateDone)
	return nil
}

func (b *Backfill) printSchedule() {
	c, out := b.cfg, b.cfg.Out
	if w, _ := ParseWindow(c.Window, c.WindowTZ); w != nil {
		now := c.Clock.Now()
		next := "now (inside it)"
		if !w.Contains(now) {
			next = w.NextOpen(now).Format(time.RFC3339)
		}
		fmt.Fprintf(out, "Runs only inside %s; next: %s.\n", w, next)
	}
	if !c.StartAt.IsZero() {
		fmt.Fprintf(out, "Starts at %s.\n", c.StartAt.Format(time.RFC3339))
	}
	if c.MaxRuntime > 0 {
		fmt.Fprintf(out, "Stops after %s (then --resume continues).\n", c.MaxRuntime)
	}
}

// idempotenceWarnings says when re-running a chunk (after a crash, chunks
// past the checkpoint run again) might change rows twice. It is a
// heuristic over the text: the safe form is a --where that the --set makes
// false, e.g. --set "full_name = CONCAT(first, ' ', last)" --where
// "full_name IS NULL".
func idempotenceWarnings(c Config) []string {
	if c.Template != "" {
		return []string{"hotswap cannot tell whether running a chunk of the --sql-file statement twice is harmless; after a crash, --resume runs the chunks since the last checkpoint again: make the statement's condition false for rows it already changed"}
	}
	var out []string
	targets := setTargets(c.Set)
	for _, a := range splitTopLevel(c.Set) {
		col, expr, _ := strings.Cut(a, "=")
		if mentions(expr, strings.TrimSpace(col)) {
			out = append(out, fmt.Sprintf("--set %q reads the column it writes: running a chunk twice (after a crash, --resume runs the chunks since the last checkpoint again) would change its rows twice, unless the --where excludes rows already changed", strings.TrimSpace(a)))
		}
	}
	if strings.TrimSpace(c.Where) == "" {
		return append(out, "no --where: after a crash, --resume runs the chunks since the last checkpoint again on every row; add a --where that the change makes false (e.g. new_col IS NULL) so that a second run changes nothing")
	}
	for _, t := range targets {
		if mentions(c.Where, t) {
			return out
		}
	}
	return append(out, fmt.Sprintf("the --where does not mention the columns the --set writes (%s): hotswap cannot tell whether a chunk run twice changes nothing; a --where the change makes false (e.g. %s IS NULL) makes re-runs harmless",
		strings.Join(targets, ", "), targets[0]))
}

// setTargets is the columns "a = x, b = y" assigns.
func setTargets(set string) []string {
	var cols []string
	for _, a := range splitTopLevel(set) {
		col, _, _ := strings.Cut(a, "=")
		cols = append(cols, strings.Trim(strings.TrimSpace(col), "`\""))
	}
	return cols
}

// splitTopLevel splits at commas outside parentheses and quotes.
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote rune
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"' || r == '`':
			quote = r
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// mentions says whether text names the column (as a whole word, any case).
func mentions(text, col string) bool {
	col = strings.ToLower(strings.Trim(col, "`\""))
	text = strings.ToLower(text)
	for i := strings.Index(text, col); i >= 0; {
		before := i == 0 || !isWord(text[i-1])
		after := i+len(col) >= len(text) || !isWord(text[i+len(col)])
		if before && after {
			return true
		}
		next := strings.Index(text[i+1:], col)
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return false
}

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
