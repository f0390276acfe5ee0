package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"strconv"
)

// OpenReplica connects to a throttle-control replica "host:port" with c's
// credentials and database.
func OpenReplica(ctx context.Context, c Config, hostport string) (*sql.DB, error) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, fmt.Errorf("throttle-control-replicas %q: want host:port", hostport)
	}
	c.Host = host
	if c.Port, err = strconv.Atoi(port); err != nil {
		return nil, fmt.Errorf("throttle-control-replicas %q: port is not a number", hostport)
	}
	return Open(ctx, c)
}
