package testdb

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image       string         `yaml:"image"`
	Command     []string       `yaml:"command"`
	Ports       []string       `yaml:"ports"`
	Healthcheck map[string]any `yaml:"healthcheck"`
}

// TestDockerComposeFile checks that the compose file developers use for
// external servers configures them the way hotswap needs.
func TestDockerComposeFile(t *testing.T) {
	data, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatalf("parse docker-compose.yml: %v", err)
	}
	checkService(t, f, "mysql", "mysql:8.0", "3306", []string{
		"--log-bin", "--binlog-format=ROW", "--binlog-row-image=FULL",
		"--gtid-mode=ON", "--enforce-gtid-consistency=ON", "--server-id=",
	})
	checkService(t, f, "postgres", "postgres:16", "5432", []string{
		"wal_level=logical", "max_replication_slots=", "max_wal_senders=",
	})
}

func checkService(t *testing.T, f composeFile, name, image, port string, args []string) {
	t.Helper()
	svc, ok := f.Services[name]
	if !ok {
		t.Fatalf("service %q missing", name)
	}
	if svc.Image != image {
		t.Errorf("%s image = %q, want %q", name, svc.Image, image)
	}
	cmd := strings.Join(svc.Command, " ")
	for _, a := range args {
		if !strings.Contains(cmd, a) {
			t.Errorf("%s command %q lacks %q", name, cmd, a)
		}
	}
	if svc.Healthcheck["test"] == nil {
		t.Errorf("%s has no healthcheck test", name)
	}
	if len(svc.Ports) == 0 {
		t.Errorf("%s publishes no port", name)
	}
	for _, p := range svc.Ports {
		if p != "127.0.0.1:"+port+":"+port {
			t.Errorf("%s port %q, want 127.0.0.1:%s:%s (loopback only)", name, p, port, port)
		}
	}
}
