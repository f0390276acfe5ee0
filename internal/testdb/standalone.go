package testdb

// StartMySQL starts a throwaway MariaDB outside of a test (for `make demo`),
// configured like the test servers. Stop it with Stop.
func StartMySQL() (*MySQL, error) { return startLocalMySQL(localOptions{}) }

// Stop shuts the server down and removes its directory.
func (s *MySQL) Stop() error { return s.stop() }
