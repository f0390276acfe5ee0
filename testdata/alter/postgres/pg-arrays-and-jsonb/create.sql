CREATE TABLE t (id int PRIMARY KEY, tags text[], j jsonb);
INSERT INTO t (id, tags, j) SELECT n, ARRAY['a' || n, 'b'], jsonb_build_object('n', n) FROM generate_series(1, 1500) n;
