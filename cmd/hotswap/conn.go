package main

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/spf13/pflag"
)

// connFlags are gh-ost's connection flags plus --dsn and safer password sources.
type connFlags struct {
	dsn, host, user, password, passwordFile, database string
	port                                              int
}

func (c *connFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&c.dsn, "dsn", "", "mysql://user[:password]@host:port/database instead of the separate flags")
	fl.StringVar(&c.host, "host", "127.0.0.1", "server host")
	fl.IntVar(&c.port, "port", 3306, "server port")
	fl.StringVar(&c.user, "user", "", "user name")
	fl.StringVar(&c.password, "password", "", "password (visible to other users in the process list: prefer HOTSWAP_PASSWORD or --password-file)")
	fl.StringVar(&c.passwordFile, "password-file", "", "read the password from this file (first line)")
	fl.StringVar(&c.database, "database", "", "database (schema) of the table")
}

// resolve merges --dsn, the flags, and the password sources (flag, file, env).
func (c *connFlags) resolve() (mysql.Config, error) {
	cfg := mysql.Config{Host: c.host, Port: c.port, User: c.user, Password: c.password, Database: c.database}
	if c.dsn != "" {
		if err := parseDSN(c.dsn, &cfg); err != nil {
			return cfg, err
		}
	}
	if c.passwordFile != "" {
		b, err := os.ReadFile(c.passwordFile)
		if err != nil {
			return cfg, fmt.Errorf("read --password-file: %w", err)
		}
		cfg.Password = strings.TrimRight(strings.SplitN(string(b), "\n", 2)[0], "\r")
	}
	if cfg.Password == "" {
		cfg.Password = os.Getenv("HOTSWAP_PASSWORD")
	}
	if cfg.User == "" || cfg.Database == "" {
		return cfg, fmt.Errorf("--user and --database (or a --dsn with both) are required")
	}
	return cfg, nil
}

func parseDSN(dsn string, cfg *mysql.Config) error {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme != "mysql" {
		return fmt.Errorf("--dsn must look like mysql://user:password@host:port/database")
	}
	cfg.Host = u.Hostname()
	if p := u.Port(); p != "" {
		if cfg.Port, err = strconv.Atoi(p); err != nil {
			return fmt.Errorf("--dsn port %q is not a number", p)
		}
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		if pw, ok := u.User.Password(); ok {
			cfg.Password = pw
		}
	}
	if db := strings.Trim(u.Path, "/"); db != "" {
		cfg.Database = db
	}
	return nil
}
