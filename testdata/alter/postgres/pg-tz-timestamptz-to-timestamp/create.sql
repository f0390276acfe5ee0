CREATE TABLE t (id int PRIMARY KEY, ts timestamptz);
INSERT INTO t (id, ts) SELECT n, timestamptz '2024-03-30 12:00:00+00' + n * interval '7 minutes' FROM generate_series(1, 1500) n;
