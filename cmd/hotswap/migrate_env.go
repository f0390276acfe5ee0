package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

// envFile is hotswap.yaml: environments (dev, staging, prod, each shard set),
// each one or more servers and its own defaults for migrate's flags.
//
//	environments:
//	  staging:
//	    servers: [mysql://hotswap@staging-db:3306/shop]
//	  prod:
//	    concurrency: 2
//	    servers: [mysql://hotswap@shard1:3306/shop, mysql://hotswap@shard2:3306/shop]
//	    flags: {max-lag-millis: "1000", online-rows: "50000"}
//
// Passwords do not belong in it: HOTSWAP_PASSWORD or --password-file.
type envFile struct {
	Environments map[string]environment `yaml:"environments"`
}

type environment struct {
	Servers     []string          `yaml:"servers"`     // DSNs, as --dsn takes them
	Concurrency int               `yaml:"concurrency"` // servers migrated at once (default 1)
	Flags       map[string]string `yaml:"flags"`       // migrate's flags, unless given on the command line
}

// loadEnvironment reads name from the file and applies its flag defaults
// to cmd's flags that the command line left alone.
func loadEnvironment(cmd *cobra.Command, path, name string) (environment, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return environment{}, fmt.Errorf("--env %s: read %s: %w", name, path, err)
	}
	var f envFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		return environment{}, fmt.Errorf("--env %s: %s is not valid: %w", name, path, err)
	}
	env, ok := f.Environments[name]
	if !ok {
		known := make([]string, 0, len(f.Environments))
		for k := range f.Environments {
			known = append(known, k)
		}
		sort.Strings(known)
		return env, fmt.Errorf("--env %s: %s has no such environment (it has %v)", name, path, known)
	}
	if len(env.Servers) == 0 {
		return env, fmt.Errorf("--env %s: %s lists no servers for it", name, path)
	}
	for flag, value := range env.Flags {
		fl := cmd.Flags().Lookup(flag)
		if fl == nil {
			return env, fmt.Errorf("--env %s: %s sets %q, which is not a flag of migrate", name, path, flag)
		}
		if !fl.Changed {
			if err := fl.Value.Set(value); err != nil {
				return env, fmt.Errorf("--env %s: %s sets %s=%q: %w", name, path, flag, value, err)
			}
		}
	}
	return env, nil
}

// prefixWriter writes whole lines to out, each prefixed with the server's
// name, so that servers migrated at once can be told apart.
type prefixWriter struct {
	prefix string
	out    io.Writer
	mu     *sync.Mutex
	buf    []byte
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.mu.Lock()
		_, err := fmt.Fprintf(w.out, "%s%s\n", w.prefix, w.buf[:i])
		w.mu.Unlock()
		w.buf = w.buf[i+1:]
		if err != nil {
			return len(p), err
		}
	}
}
