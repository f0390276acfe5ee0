CREATE TABLE t (id INT PRIMARY KEY, a INT, g INT AS (a * 2) VIRTUAL, s INT AS (a + 1) STORED);
INSERT INTO t (id, a)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 1200)
SELECT n, n FROM s;
