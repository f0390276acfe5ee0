package dbconn

import "testing"

// TestAddrBracketsIPv6: an IPv6 host is bracketed so the port stays apart.
func TestAddrBracketsIPv6(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Host: "127.0.0.1", Port: 3306}, "127.0.0.1:3306"},
		{Config{Host: "::1", Port: 5432}, "[::1]:5432"},
	} {
		if got := c.cfg.Addr(); got != c.want {
			t.Errorf("%+v.Addr() = %q, want %q", c.cfg, got, c.want)
		}
	}
}
