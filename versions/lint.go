package versions

import (
	"context"
	"fmt"
	"strings"

	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/migration"
)

// The lint (safe by default): before up runs anything, every statement of
// the versions it would apply is read for changes that break the running
// application or lose data (lint_rules.go, lint_alter.go). Up refuses to
// run when it finds any, unless Config.AllowUnsafe or the statement waives
// the rule with a comment in its own text:
//
//	ALTER TABLE items DROP COLUMN note; -- hotswap:allow drop-column
//
// (a comment before the statement, or after its ";" on the same line, is
// part of the statement). Plan and hotswap lint print the findings and run
// nothing. Down files are not read: a down is the contract step by nature.
// The data-dependent rules (not-null-no-default, unique-on-duplicates) look
// at the data as it is before up runs: a table that a pending version
// creates is new, and a version that fixes the data before a later one
// constrains it is not taken into account (waive the later one).

// Finding is one unsafe change of a pending version.
type Finding struct {
	Rule    string
	Version uint64
	Name    string // the version's name
	Line    int    // where the statement starts in the up file
	SQL     string // the statement, on one line, shortened
	Problem string // what breaks, or what is lost
	Fix     string // the safe sequence to use instead
	Waived  bool   // by a "-- hotswap:allow <rule>" comment in the statement
}

func (f Finding) String() string {
	if f.Waived {
		return fmt.Sprintf("version %d (%s), line %d: %s (waived by its comment): %s\n  %s", f.Version, f.Name, f.Line, f.Rule, f.SQL, f.Problem)
	}
	return fmt.Sprintf("version %d (%s), line %d: %s: %s\n  %s\n  instead: %s\n  if it is meant: add the comment \"-- hotswap:allow %s\" to the statement, or run with --allow-unsafe",
		f.Version, f.Name, f.Line, f.Rule, f.SQL, f.Problem, f.Fix, f.Rule)
}

// Lint reads the versions up would apply (pending, up to cfg.To) and
// returns their findings, waived ones included. It changes nothing.
func Lint(ctx context.Context, cfg Config) ([]Finding, error) {
	r, err := open(ctx, cfg, false)
	if err != nil {
		return nil, err
	}
	defer r.close()
	var out []Finding
	for _, v := range r.versions {
		if !r.pending(v) {
			continue
		}
		fs, err := r.lintVersion(ctx, v)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

// pending says whether up would run v.
func (r *runner) pending(v Version) bool {
	rec, ok := r.history[v.Number]
	return !(ok && isApplied(rec.State)) && (r.cfg.To == 0 || v.Number <= r.cfg.To)
}

// lintVersion reads v's up file; the statements a failed or killed run of
// it finished are passed: they are done.
func (r *runner) lintVersion(ctx context.Context, v Version) ([]Finding, error) {
	stmts, err := r.db.Split(v.Up)
	if err != nil {
		return nil, fmt.Errorf("version %d (%s): %w", v.Number, v.Name, err)
	}
	var done []step
	if rec, ok := r.history[v.Number]; ok && rec.Checksum == v.Checksum && rec.State != StateReverted {
		if p, err := readProgress(rec.Steps); err == nil && !p.Down && len(p.Statements) == len(stmts) {
			done = p.Statements
		}
	}
	c := checker{db: r.db, pg: r.cfg.Engine == migration.EnginePostgres, big: r.big}
	var out []Finding
	for i, st := range stmts {
		if done != nil && done[i].Done {
			continue
		}
		s := scan(st.SQL, c.pg)
		issues, err := c.check(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("lint version %d (%s), line %d: %w", v.Number, v.Name, st.Line, err)
		}
		waived := s.waived()
		for _, is := range issues {
			out = append(out, Finding{Rule: is.rule, Version: v.Number, Name: v.Name, Line: st.Line, SQL: s.oneLine(),
				Problem: is.problem, Fix: ruleFix[is.rule], Waived: waived[is.rule]})
		}
	}
	return out, nil
}

// oneLine is the statement from its first token, comments out, white space
// folded, shortened for a message.
func (s scanned) oneLine() string {
	var b strings.Builder
	for i, t := range s.toks {
		if i > 0 && (t.start > s.toks[i-1].end) {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
		if b.Len() > 160 {
			return b.String()[:160] + "..."
		}
	}
	return b.String()
}

// refuseUnsafe is up's lint: a finding not waived refuses the run before
// any version runs, unless cfg.AllowUnsafe, which runs them and says so.
func (r *runner) refuseUnsafe(ctx context.Context) error {
	var unsafe []string
	for _, v := range r.versions {
		if !r.pending(v) {
			continue
		}
		fs, err := r.lintVersion(ctx, v)
		if err != nil {
			return &job.Refused{Err: err}
		}
		for _, f := range fs {
			if !f.Waived {
				unsafe = append(unsafe, f.String())
			}
		}
	}
	switch {
	case len(unsafe) == 0:
		return nil
	case r.cfg.AllowUnsafe:
		fmt.Fprintf(r.cfg.Out, "--allow-unsafe: running %d unsafe change(s):\n%s\n", len(unsafe), strings.Join(unsafe, "\n"))
		r.cfg.Log.Warn().Int("unsafe", len(unsafe)).Msg("unsafe changes run under --allow-unsafe")
		return nil
	}
	return job.Refuse("%d unsafe change(s) in the pending versions; no version was run:\n%s\nuse the safe sequence given for each, waive one with its comment, or run with --allow-unsafe",
		len(unsafe), strings.Join(unsafe, "\n"))
}

// printLint is plan's lint: v's findings under it; plan refuses nothing.
func (r *runner) printLint(ctx context.Context, v Version) error {
	fs, err := r.lintVersion(ctx, v)
	if err != nil {
		return err
	}
	for _, f := range fs {
		fmt.Fprintf(r.cfg.Out, "  UNSAFE %s\n", strings.ReplaceAll(f.String(), "\n", "\n  "))
	}
	return nil
}
