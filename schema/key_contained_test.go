package schema

import "testing"

func TestChooseKeyContained(t *testing.T) {
	cols := func(idType string) []Column {
		return []Column{{Name: "id", DataType: "int", FullType: idType}, {Name: "i", DataType: "int", FullType: "int(11)"}, {Name: "v", DataType: "varchar", FullType: "varchar(10)", Nullable: true}}
	}
	pk := func(c ...string) []Index { return []Index{{Name: "PRIMARY", Columns: c, Primary: true}} }
	src := &Table{Name: "t", Columns: cols("int(11)"), Uniques: pk("id")}
	for _, c := range []struct {
		name    string
		dst     *Table
		renames map[string]string
		want    []string // shadow key columns, nil: refused
	}{
		{"extended", &Table{Columns: cols("int(11)"), Uniques: pk("id", "i")}, nil, []string{"id"}},
		{"extended after a rename", &Table{Columns: []Column{{Name: "id2", DataType: "int", FullType: "int(11)"}, {Name: "i", FullType: "int(11)"}}, Uniques: pk("id2", "i")},
			map[string]string{"id": "id2"}, []string{"id2"}},
		{"not a prefix", &Table{Columns: cols("int(11)"), Uniques: pk("i", "id")}, nil, nil},
		{"retyped", &Table{Columns: cols("bigint(20)"), Uniques: pk("id", "i")}, nil, nil},
		{"replaced", &Table{Columns: cols("int(11)"), Uniques: pk("i")}, nil, nil},
		{"nullable unique", &Table{Columns: cols("int(11)"), Uniques: []Index{{Name: "u", Columns: []string{"id", "v"}}}}, nil, nil},
	} {
		dst := c.dst
		dst.Name = "_t_new"
		pairs := MapColumns(src, dst, &Alter{Renames: c.renames, Dropped: map[string]bool{}})
		sk, dk, err := ChooseKey(src, dst, pairs)
		switch {
		case c.want == nil && err == nil:
			t.Errorf("%s: accepted with %v -> %v", c.name, sk, dk)
		case c.want != nil && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != nil && (!sameNames(dk.Columns, c.want) || dk.Name != dst.Uniques[0].Name || !sameNames(sk.Columns, []string{"id"})):
			t.Errorf("%s: key %v -> %v, want shadow columns %v of %s", c.name, sk, dk, c.want, dst.Uniques[0].Name)
		}
	}
	float := &Table{Name: "f", Columns: []Column{{Name: "id", DataType: "double", FullType: "double"}, {Name: "i", FullType: "int(11)"}}, Uniques: pk("id")}
	fdst := &Table{Name: "_f_new", Columns: float.Columns, Uniques: pk("id", "i")}
	if _, _, err := ChooseKey(float, fdst, MapColumns(float, fdst, &Alter{})); err == nil {
		t.Error("a float key was accepted inside a new key")
	}
}
