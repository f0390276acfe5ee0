CREATE TABLE t (id int PRIMARY KEY, a timestamptz, b timestamptz);
INSERT INTO t (id, a, b) SELECT n, timestamptz '2024-03-30 22:00:00+00' + n * interval '17 minutes', timestamptz '2024-01-01 00:00:00+00' + n * interval '1 hour' FROM generate_series(1, 1500) n;
