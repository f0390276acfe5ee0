package mysql

import "testing"

func TestCreateTriggerSQLKeepsDefinerTimingEventAndBody(t *testing.T) {
	tr := Trigger{Name: "audit", Timing: "AFTER", Event: "UPDATE", Definer: "app@user@10.0.%",
		Statement: "INSERT INTO audit (id) VALUES (NEW.id)"}
	got := createTriggerSQL("shop", "_orders_new", tr.TempName(), tr)
	want := "CREATE DEFINER=`app@user`@`10.0.%` TRIGGER `shop`.`audit__hotswap` AFTER UPDATE ON `shop`.`_orders_new` FOR EACH ROW INSERT INTO audit (id) VALUES (NEW.id)"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if MaxTriggerName+len(TriggerSuffix) != 64 {
		t.Errorf("MaxTriggerName %d: with the suffix a name must fit 64 characters exactly", MaxTriggerName)
	}
}
