package main

import (
	"fmt"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/logging"
	"github.com/hotswap/hotswap/migration"
	"github.com/hotswap/hotswap/throttle"
	"github.com/spf13/pflag"
)

// controlFlags are gh-ost's throttling, control and hook flags.
type controlFlags struct {
	throttle                           *throttle.Settings
	heartbeatMillis                    int
	socket, panicFile, hooksPath       string
	metrics                            string
	metricsLinger                      time.Duration
	tcpPort, hooksStatusSeconds        int
	forceNamedCutOver, forceNamedPanic bool
	fl                                 *pflag.FlagSet
}

func (c *controlFlags) register(fl *pflag.FlagSet) {
	c.fl = fl
	c.throttle = throttle.NewSettings()
	for _, name := range c.throttle.Names() { // one flag per knob, parsed by the same code as the socket's name=value
		def, _ := c.throttle.Get(name)
		fl.String(name, def, knobHelp[name]+" (change it live: "+name+"=... on the socket)")
	}
	fl.IntVar(&c.heartbeatMillis, "heartbeat-interval-millis", 100, "heartbeat written for the replica lag check")
	fl.StringVar(&c.socket, "serve-socket-file", "", "unix socket for control commands (echo status | nc -U FILE)")
	fl.IntVar(&c.tcpPort, "serve-tcp-port", 0, "also serve control commands on 127.0.0.1:PORT")
	fl.StringVar(&c.metrics, "metrics-address", "", "serve Prometheus metrics at http://HOST:PORT/metrics and the status JSON at /status")
	fl.DurationVar(&c.metricsLinger, "metrics-linger", 0, "with --metrics-address: keep serving this long after the run ends, so a scrape sees its final state (done or failed); Ctrl-C ends it early")
	fl.BoolVar(&c.forceNamedCutOver, "force-named-cut-over", false, "the cut-over command must name the table: cut-over=<table>")
	fl.BoolVar(&c.forceNamedPanic, "force-named-panic", false, "the panic command must name the table: panic=<table>")
	fl.StringVar(&c.panicFile, "panic-flag-file", "", "abort at once when this file appears (tables are left for inspection)")
	fl.StringVar(&c.hooksPath, "hooks-path", "", "directory of hook executables (gh-ost-on-startup..., hotswap-on-...)")
	fl.IntVar(&c.hooksStatusSeconds, "hooks-status-interval", 60, "seconds between on-status hooks")
}

// knobHelp describes the throttling knobs (their values are parsed by package throttle).
var knobHelp = map[string]string{
	"max-lag-millis":                "throttle while a control replica or the binlog reader lags more than this",
	"max-load":                      "throttle while a load counter reaches its limit, e.g. Threads_running=25,Threads_connected=500 (MySQL: SHOW GLOBAL STATUS; PostgreSQL: active_sessions, sessions, lock_waits, idle_in_transaction)",
	"critical-load":                 "abort when a load counter (as for --max-load) reaches its limit (checked again after --critical-load-interval-millis)",
	"critical-load-interval-millis": "0: abort on the first critical reading; >0: read again after this long and abort only if still critical",
	"throttle-query":                "a scalar query on the primary; a result > 0 throttles",
	"throttle-http":                 "an URL; any answer but 200 throttles",
	"throttle-control-replicas":     "replicas (PostgreSQL: hot standbys) whose lag throttles, host:port,host:port (the heartbeat is read there; default port 3306, PostgreSQL 5432)",
	"nice-ratio":                    "sleep this fraction of each chunk's time after it (1 = copy at most half the time)",
	"throttle-flag-file":            "throttle while this file exists",
	"throttle-additional-flag-file": "throttle while this file exists too",
}

// apply parses the throttling flags given and fills the settings every kind
// of run takes, for engine.
func (c *controlFlags) apply(engine string, s *control.Settings) error {
	if engine == migration.EnginePostgres {
		c.throttle.SetDefaultReplicaPort(5432)
	}
	for _, name := range c.throttle.Names() {
		if f := c.fl.Lookup(name); f != nil && f.Changed {
			if err := c.throttle.Set(name, f.Value.String()); err != nil {
				return fmt.Errorf("--%s: %w", name, err)
			}
		}
	}
	if c.heartbeatMillis < 10 || c.hooksStatusSeconds < 1 {
		return fmt.Errorf("--heartbeat-interval-millis must be at least 10 and --hooks-status-interval at least 1")
	}
	*s = control.Settings{Throttle: c.throttle, HeartbeatInterval: time.Duration(c.heartbeatMillis) * time.Millisecond,
		ServeSocketFile: c.socket, ServeTCPPort: c.tcpPort, PanicFlagFile: c.panicFile, HooksPath: c.hooksPath,
		HooksStatusInterval: time.Duration(c.hooksStatusSeconds) * time.Second, MetricsAddress: c.metrics,
		MetricsLinger: c.metricsLinger}
	if c.metricsLinger < 0 || (c.metricsLinger > 0 && c.metrics == "") {
		return fmt.Errorf("--metrics-linger needs --metrics-address and must not be negative")
	}
	s.Progress = logging.TerminalProgress()
	return nil
}

// applyAlter also fills what only an alter takes: named cut-over and panic.
func (c *controlFlags) applyAlter(cfg *migration.Config) error {
	if err := c.apply(cfg.Engine, &cfg.Settings); err != nil {
		return err
	}
	cfg.ForceNamedCutOver, cfg.ForceNamedPanic = c.forceNamedCutOver, c.forceNamedPanic
	return nil
}
