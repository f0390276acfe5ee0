package control

import (
	"strings"
	"testing"
)

func TestRunSocketPathIsPerServerAndTable(t *testing.T) {
	a := RunSocketPath("mysql", "127.0.0.1", 3306, "shop", "", "orders")
	if a != RunSocketPath("mysql", "127.0.0.1", 3306, "shop", "", "orders") {
		t.Fatal("the same run must map to the same socket")
	}
	for _, other := range []string{
		RunSocketPath("mysql", "127.0.0.1", 3307, "shop", "", "orders"),
		RunSocketPath("mysql", "127.0.0.1", 3306, "shop", "", "orders2"),
		RunSocketPath("postgres", "127.0.0.1", 3306, "shop", "public", "orders"),
		RunSocketPath("mysql", "127.0.0.1", 3306, "sho", "", "porders"),
	} {
		if other == a {
			t.Fatalf("two runs share the socket %s", a)
		}
	}
	long := RunSocketPath("mysql", strings.Repeat("h", 300), 3306, strings.Repeat("d", 64), "", strings.Repeat("t", 64))
	if len(long) > 100 || !strings.HasSuffix(long, ".sock") {
		t.Fatalf("socket path %q too long for a unix socket", long)
	}
}
