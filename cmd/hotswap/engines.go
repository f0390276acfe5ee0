package main

// The engines this binary runs on; each registers itself with package engine.
import (
	_ "github.com/hotswap/hotswap/engine/mysql"
	_ "github.com/hotswap/hotswap/engine/postgres"
)
