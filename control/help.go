package control

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

// command is one line of help.
type command struct{ usage, what string }

var plainCommands = []command{
	{"help", "this list"},
	{"status", "state, progress, backlog, lags, throttling, ETA"},
	{"status-json", "status as one JSON object"},
	{"sup", "status in one line"},
	{"throttle", "hold the copy and the applier"},
	{"pause", "same as throttle"},
	{"no-throttle", "release a throttle command's hold"},
	{"resume", "same as no-throttle"},
	{"revert", "in a revert window: swap the old table back in (replies once done)"},
	{"finalize", "in a revert window: close it now"},
	{"revert-plan", "in a revert window: what revert would do"},
}

var knobCommands = []command{
	{"chunk-size=N", "rows per copy chunk"},
	{"nice-ratio=F", "after each chunk, sleep F times as long as it took"},
	{"max-lag-millis=N", "throttle while replica lag exceeds N ms"},
	{"max-load=VAR=N,...", "throttle while a global status variable exceeds N"},
	{"critical-load=VAR=N,...", "abort when a global status variable exceeds N"},
	{"throttle-query=SQL", "throttle while SQL returns a value above 0"},
	{"throttle-http=URL", "throttle while URL does not answer 200"},
	{"throttle-control-replicas=HOST:PORT,...", "replicas whose lag is checked"},
	{"NAME=?", "the current value of NAME"},
}

// isPlain says whether name is a command that takes no value.
func isPlain(name string) bool {
	for _, c := range plainCommands {
		if c.usage == name {
			return true
		}
	}
	return name == "cut-over" || name == "unpostpone" || name == "panic"
}

// help lists the commands one per line, with the forms this server accepts
// for cut-over and panic.
func (s *Server) help() string {
	cmds := append(append([]command{}, plainCommands...), knobCommands...)
	cmds = append(cmds, s.cutOverHelp()...)
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	for _, c := range cmds {
		fmt.Fprintf(w, "%s\t%s\n", c.usage, c.what)
	}
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

func (s *Server) cutOverHelp() []command {
	cut, abort := "cut-over", "panic"
	if s.opts.ForceNamedCutOver {
		cut += "=<table>"
	}
	if s.opts.ForceNamedPanic {
		abort += "=<table>"
	}
	return []command{
		{cut, "release a postponed cut-over"},
		{"unpostpone" + strings.TrimPrefix(cut, "cut-over"), "same as cut-over"},
		{abort, "abort now, leaving the tables for a resume"},
	}
}
