package testdb

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// parsePostgresAdminDSN turns the superuser URL (or key=value string) from
// HOTSWAP_TEST_POSTGRES_DSN into an external *Postgres without connecting.
// Its database becomes the maintenance database used for setup.
func parsePostgresAdminDSN(dsn string) (*Postgres, error) {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", postgresDSNEnv, err)
	}
	maint := cfg.Database
	if maint == "" {
		maint = "postgres"
	}
	return &Postgres{
		Host: cfg.Host, Port: int(cfg.Port),
		User: postgresUser, Password: postgresPassword,
		SuperUser: cfg.User, SuperPassword: cfg.Password,
		External: true,
		maintDB:  maint,
	}, nil
}

// externalPostgres connects to the external server and makes sure the
// hotswap role exists with the known password and attributes.
func externalPostgres(dsn string) (*Postgres, error) {
	p, err := parsePostgresAdminDSN(dsn)
	if err != nil {
		return nil, err
	}
	if err := p.ensureRole(); err != nil {
		return nil, fmt.Errorf("external PostgreSQL %s:%d: %w", p.Host, p.Port, err)
	}
	return p, nil
}
