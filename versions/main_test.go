package versions_test

import (
	"os"
	"testing"

	"github.com/hotswap/hotswap/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }
