package control

import "fmt"

// With --force-named-cut-over or --force-named-panic, the DBA must repeat the
// table's name: with several migrations on one host, a cut-over or a panic
// typed into the wrong socket must do nothing. The named form is accepted
// without the flags too, and is checked the same way.

// bare runs cut-over/unpostpone/panic written without a table, unless the
// flag forces the named form.
func (s *Server) bare(cmd string, forced bool, flag string, do func() (string, error)) (string, error) {
	if forced {
		return "", fmt.Errorf("%s must name the table, as %s=<table> (%s is set); nothing done", cmd, cmd, flag)
	}
	return do()
}

// named runs cut-over=<table> / panic=<table> if <table> is this migration's.
func (s *Server) named(cmd, table string, do func() (string, error)) (string, error) {
	if table == "" {
		return "", fmt.Errorf("%s= needs the table name; nothing done", cmd)
	}
	if !s.isOurTable(table) {
		return "", fmt.Errorf("%s names table %q, but this migration is on %q; nothing done", cmd, table, s.table())
	}
	return do()
}

// table is the migrated table's name: the one given in Options, else the
// one the Target reports.
func (s *Server) table() string {
	if s.opts.Table != "" {
		return s.opts.Table
	}
	return s.target.Status().Table
}

// isOurTable accepts the table's name, alone or as database.table.
func (s *Server) isOurTable(name string) bool {
	t := s.table()
	if name == t {
		return true
	}
	return name == s.target.Status().Database+"."+t
}
