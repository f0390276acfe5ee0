CREATE TABLE t (id int PRIMARY KEY, b bytea, big text);
INSERT INTO t (id, b, big) SELECT n, decode(md5(n::text), 'hex'), repeat(md5(n::text), 400) FROM generate_series(1, 300) n;
