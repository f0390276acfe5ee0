CREATE TABLE t (u BIGINT NOT NULL, v INT, UNIQUE KEY uk (u));
INSERT INTO t (u, v)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 1200)
SELECT n * 11, n FROM s;
