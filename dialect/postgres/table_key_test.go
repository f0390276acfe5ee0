package postgres

import (
	"strings"
	"testing"
)

func TestTableShadowKey(t *testing.T) {
	for _, tc := range []struct {
		name, create, alter string
		src, dst            string // the keys, comma-separated, when accepted
		err                 string // the start of the error, when refused
	}{
		{name: "unchanged", create: "id int, b text, PRIMARY KEY (b, id)", alter: "ADD COLUMN c int", src: "b,id", dst: "b,id"},
		{name: "renamed", create: "id int PRIMARY KEY", alter: "RENAME COLUMN id TO ident", src: "id", dst: "ident"},
		{name: "smallint to bigint", create: "id smallint PRIMARY KEY", alter: "ALTER COLUMN id TYPE bigint", src: "id", dst: "id"},
		{name: "int to bigint", create: "id int PRIMARY KEY", alter: "ALTER COLUMN id TYPE bigint", src: "id", dst: "id"},
		{name: "longer varchar", create: "id varchar(10) PRIMARY KEY", alter: "ALTER COLUMN id TYPE varchar(20)", src: "id", dst: "id"},
		{name: "varchar to text", create: "id varchar(10) PRIMARY KEY", alter: "ALTER COLUMN id TYPE text", src: "id", dst: "id"},
		{name: "no primary key", create: "id int UNIQUE NOT NULL", alter: "ADD COLUMN c int",
			err: "public.t has no primary key: hotswap needs one to copy in chunks and to resync changed rows; add one first"},
		{name: "key column dropped", create: "id int, b int, PRIMARY KEY (id, b)", alter: "DROP COLUMN b",
			err: "the ALTER drops primary key column b of public.t: not supported"},
		{name: "primary key dropped", create: "id int PRIMARY KEY", alter: "DROP CONSTRAINT _t_new_pkey",
			err: "the ALTER drops the primary key of public.t and no unique key of the new table starts with its columns (id)"},
		{name: "primary key extended", create: "id int PRIMARY KEY, b int NOT NULL", alter: "DROP CONSTRAINT _t_new_pkey, ADD PRIMARY KEY (id, b)",
			src: "id", dst: "id"},
		{name: "primary key dropped, a unique key on it and more", create: "id int PRIMARY KEY, b int NOT NULL", alter: "DROP CONSTRAINT _t_new_pkey, ADD UNIQUE (id, b)",
			src: "id", dst: "id"},
		{name: "composite key extended, reordered", create: "a int, b int, c int NOT NULL, PRIMARY KEY (a, b)", alter: "DROP CONSTRAINT _t_new_pkey, ADD PRIMARY KEY (b, a, c)",
			src: "a,b", dst: "a,b"},
		{name: "primary key changed to one not led by it", create: "id int PRIMARY KEY, b int NOT NULL", alter: "DROP CONSTRAINT _t_new_pkey, ADD PRIMARY KEY (b, id)",
			err: "the ALTER changes the primary key of public.t to (b, id) from (id)"},
		{name: "primary key dropped by the table's name", create: "id int PRIMARY KEY", alter: "DROP CONSTRAINT t_pkey, ADD COLUMN x int",
			err: "the ALTER drops the primary key of public.t"},
		{name: "primary key extended, named as on the table", create: "id int PRIMARY KEY, b int NOT NULL", alter: "DROP CONSTRAINT \"t_pkey\", ADD PRIMARY KEY (id, b)",
			src: "id", dst: "id"},
		{name: "primary key changed to another column", create: "id int PRIMARY KEY, b int NOT NULL", alter: "DROP CONSTRAINT _t_new_pkey, ADD PRIMARY KEY (b)",
			err: "the ALTER changes the primary key of public.t to (b) from (id)"},
		{name: "bigint to int", create: "id bigint PRIMARY KEY", alter: "ALTER COLUMN id TYPE int",
			err: "the ALTER changes the type of key column id from bigint to integer, which may reorder or merge keys"},
		{name: "shorter varchar", create: "id varchar(20) PRIMARY KEY", alter: "ALTER COLUMN id TYPE varchar(10)",
			err: "the ALTER changes the type of key column id from character varying(20) to character varying(10)"},
		{name: "int to text", create: "id int PRIMARY KEY", alter: "ALTER COLUMN id TYPE text",
			err: "the ALTER changes the type of key column id from integer to text"},
		{name: "varchar to text in another collation", create: "id varchar(5) PRIMARY KEY", alter: `ALTER COLUMN id TYPE text COLLATE "C"`,
			err: `the ALTER changes the type of key column id from character varying(5) to text COLLATE "C"`},
		{name: "collation", create: "id text PRIMARY KEY", alter: `ALTER COLUMN id TYPE text COLLATE "C"`,
			err: `the ALTER changes the collation of key column id from "default" to "C", which may reorder keys or merge them`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, app, _ := appDB(t, "CREATE TABLE t ("+tc.create+")")
			src, dst := tableTestShadow(t, app, tc.alter)
			srcKey, dstKey, err := ShadowKey(src, dst, MapColumns(src, dst))
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("ShadowKey error = %v\nwant it to start with %q", err, tc.err)
				}
				return
			}
			if err != nil || strings.Join(srcKey, ",") != tc.src || strings.Join(dstKey, ",") != tc.dst {
				t.Fatalf("ShadowKey = %v, %v, %v; want %s, %s", srcKey, dstKey, err, tc.src, tc.dst)
			}
		})
	}
}
