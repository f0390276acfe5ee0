package versions

import (
	"context"
	"fmt"
	"strings"

	"github.com/hotswap/hotswap/engine"
)

// Plan prints, for each version up would apply, each statement with how it
// would run (online or directly) and the table's estimated rows; and says
// which versions have no down file. It changes nothing.
func Plan(ctx context.Context, cfg Config) error {
	r, err := open(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer r.close()
	out := r.cfg.Out
	n := 0
	for _, v := range r.versions {
		if rec, ok := r.history[v.Number]; ok && isApplied(rec.State) || r.cfg.To != 0 && v.Number > r.cfg.To {
			continue
		}
		n++
		stmts, err := r.db.Split(v.Up)
		if err != nil {
			return fmt.Errorf("version %d (%s): %w", v.Number, v.Name, err)
		}
		down := "reversible (down file)"
		if !v.HasDown {
			down = "IRREVERSIBLE: no down file"
		}
		fmt.Fprintf(out, "Version %d (%s), %d statement(s), %s:\n", v.Number, v.Name, len(stmts), down)
		var together togetherLines
		for _, st := range stmts {
			p, err := r.method(ctx, st)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "  line %d: %s\n", st.Line, r.describe(p))
			together.add(r, p, st.Line)
		}
		together.flush(r)
		if err := r.printLint(ctx, v); err != nil { // safe by default: lint.go
			return err
		}
	}
	if n == 0 {
		fmt.Fprintln(out, "Nothing to apply: the database is at the latest version.")
	}
	return nil
}

// togetherLines collects the online statements that follow one another
// (apply_set.go) to say they switch together.
type togetherLines struct {
	lines  []int
	schema string
	tables map[string]bool
}

func (g *togetherLines) add(r *runner, p plan, line int) {
	if p.method != methodOnline || g.tables[p.table] || (len(g.lines) > 0 && p.schema != g.schema) || len(g.lines) == engine.MaxSetTables {
		g.flush(r)
	}
	if p.method != methodOnline {
		return
	}
	if len(g.lines) == 0 {
		g.schema, g.tables = p.schema, map[string]bool{}
	}
	g.lines, g.tables[p.table] = append(g.lines, line), true
}

func (g *togetherLines) flush(r *runner) {
	if len(g.lines) > 1 {
		how := "their tables switch together, in one cut-over"
		if r.cfg.Online.RevertWindow > 0 {
			how = "each switches at its own cut-over (with --revert-window each keeps its own window)"
		} else if r.cfg.Online.AttemptInstantDDL {
			how += " (each is first tried in place on its own: one the server makes in place switches at once)"
		}
		fmt.Fprintf(r.cfg.Out, "  lines %s, online one after another: %s\n", strings.Trim(strings.Join(strings.Fields(fmt.Sprint(g.lines)), ", "), "[]"), how)
	}
	g.lines = nil
}

// describe says how a statement runs and why.
func (r *runner) describe(p plan) string {
	size := fmt.Sprintf("~%d rows, %d MB", p.rows, p.bytes>>20)
	switch {
	case p.method == methodOnline:
		how := "copied and cut over, throttled, resumable"
		if r.cfg.Online.AttemptInstantDDL {
			how = "in place if the server can make it without a copy, else " + how
		}
		return fmt.Sprintf("online ALTER of %s (%s; online from %d rows or %d MB): %s", name(p), size, r.cfg.OnlineRows, r.cfg.OnlineBytes>>20, how)
	case p.method == methodBackfill:
		return fmt.Sprintf("background backfill: %s of %s (%s) in chunks of the key, each committed on its own, throttled, resumable from its checkpoint; "+
			"rows written meanwhile by the application are changed when their chunk comes", p.change.verb, name(p), size)
	case p.change != nil && p.change.unchunkable != "" && p.table != "" && r.big(p.rows, p.bytes):
		return fmt.Sprintf("directly, blocking: %s of %s (%s) cannot be chunked (%s): see the lint's unchunkable-change", p.change.verb, name(p), size, p.change.unchunkable)
	case p.change != nil && p.table != "":
		return fmt.Sprintf("directly: %s of %s (%s, under %d rows and %d MB, or a table not there yet)", p.change.verb, name(p), size, r.cfg.OnlineRows, r.cfg.OnlineBytes>>20)
	case p.table != "":
		return fmt.Sprintf("directly: ALTER of %s (%s, under %d rows and %d MB, or a table not there yet)", name(p), size, r.cfg.OnlineRows, r.cfg.OnlineBytes>>20)
	}
	return "directly"
}

func name(p plan) string {
	return strings.TrimPrefix(p.schema+"."+p.table, ".")
}
