CREATE TABLE t (id uuid PRIMARY KEY, v int);
INSERT INTO t (id, v) SELECT md5(n::text)::uuid, n FROM generate_series(1, 1500) n;
