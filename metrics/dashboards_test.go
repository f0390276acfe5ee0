package metrics

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/control"
	"gopkg.in/yaml.v3"
)

// metricName finds the metric names a PromQL expression reads.
var metricName = regexp.MustCompile(`\b(?:hotswap|go|process)_[a-z_]+\b`)

// served is every metric name the endpoint serves, from its # TYPE lines.
func served(t *testing.T) map[string]bool {
	s, err := Serve("127.0.0.1:0", func() control.Status {
		return control.Status{State: "copying", Database: "d", Table: "t", Throttled: true, ThrottleReason: "r"}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	names := map[string]bool{}
	for _, line := range strings.Split(get(t, "http://"+s.Addr()+"/metrics"), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[1] == "TYPE" {
			names[f[2]] = true
		}
	}
	return names
}

func checkExprs(t *testing.T, file string, exprs []string, names map[string]bool) {
	t.Helper()
	if len(exprs) == 0 {
		t.Fatalf("%s has no expression", file)
	}
	for _, e := range exprs {
		for _, n := range metricName.FindAllString(e, -1) {
			if !names[n] {
				t.Errorf("%s reads %s, which the endpoint does not serve: %s", file, n, e)
			}
		}
	}
}

// TestGrafanaDashboard: the dashboard in the repository is JSON Grafana
// imports (a title, a uid, a Prometheus datasource variable, panels with
// unique ids inside the 24-column grid), and every query reads a metric the
// endpoint serves: renaming a metric breaks this test, not a DBA's dashboard.
func TestGrafanaDashboard(t *testing.T) {
	var d struct {
		Title, UID string
		Templating struct{ List []struct{ Name, Type string } }
		Panels     []struct {
			ID      int
			Title   string
			GridPos struct{ X, W int } `json:"gridPos"`
			Targets []struct{ Expr string }
		}
	}
	b, err := os.ReadFile("dashboards/grafana.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboards/grafana.json: %v", err)
	}
	if d.Title == "" || d.UID == "" || len(d.Templating.List) == 0 || d.Templating.List[0].Type != "datasource" {
		t.Errorf("the dashboard lacks a title, a uid or its datasource variable: %q %q %+v", d.Title, d.UID, d.Templating.List)
	}
	ids := map[int]bool{}
	var exprs []string
	for _, p := range d.Panels {
		if ids[p.ID] || p.Title == "" || len(p.Targets) == 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %d %q: a repeated id, no title, no query, or wider than the grid", p.ID, p.Title)
		}
		ids[p.ID] = true
		for _, q := range p.Targets {
			exprs = append(exprs, q.Expr)
		}
	}
	checkExprs(t, "dashboards/grafana.json", exprs, served(t))
}

// TestAlertRules: the example alerting rules are Prometheus rule YAML whose
// expressions read served metrics.
func TestAlertRules(t *testing.T) {
	var rules struct {
		Groups []struct {
			Name  string
			Rules []struct{ Alert, Expr string }
		}
	}
	b, err := os.ReadFile("dashboards/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatalf("dashboards/alerts.yml: %v", err)
	}
	var exprs []string
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || r.Expr == "" {
				t.Errorf("a rule of %s without a name or an expression", g.Name)
			}
			exprs = append(exprs, r.Expr)
		}
	}
	checkExprs(t, "dashboards/alerts.yml", exprs, served(t))
}
