// Command hotswap changes the schema of a big, busy MySQL/MariaDB table
// online: copy to a shadow table, replay concurrent changes, swap atomically.
package main

import (
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:]))
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailed  = 1 // failed during the run, after saying what is left
	exitRefused = 2 // refused before any change: bad flags or preflight
)

func run(args []string) int {
	root := rootCommand()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var code exitError
	if asExit(err, &code) {
		return int(code)
	}
	fmt.Fprintln(os.Stderr, "error:", err)
	return exitRefused // cobra's own errors are flag errors
}
