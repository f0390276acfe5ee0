package testdb

// StartMySQL starts a throwaway MariaDB outside of a test (for `make demo`),
// configured like the test servers. Stop it with Stop.
func StartMySQL() (*MySQL, error) { return startLocalMySQL(localOptions{}) }

// Stop shuts the server down and removes its directory.
func (s *MySQL) Stop() error { return s.stop() }

// StartPostgres starts a throwaway PostgreSQL outside of a test (for `make
// demo ENGINE=postgres`), configured like the test servers: wal_level=logical,
// a superuser (SuperUser/SuperPassword, maintenance database "postgres") and
// the non-superuser User (LOGIN REPLICATION CREATEDB). Stop it with Stop.
func StartPostgres() (*Postgres, error) { return startLocalPostgres() }

// Stop shuts the server down and removes its directory.
func (p *Postgres) Stop() error { return p.stop() }
