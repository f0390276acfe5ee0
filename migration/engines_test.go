package migration

// The runner knows engines through package engine only; its tests link both.
import (
	_ "github.com/hotswap/hotswap/engine/mysql"
	_ "github.com/hotswap/hotswap/engine/postgres"
)
