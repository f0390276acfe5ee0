CREATE TABLE t (id INT PRIMARY KEY, v INT);
INSERT INTO t (id, v)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 100)
SELECT n, n FROM s;
