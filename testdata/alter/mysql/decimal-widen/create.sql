CREATE TABLE t (id INT PRIMARY KEY, d DECIMAL(10,2), e DECIMAL(5,0));
INSERT INTO t (id, d, e)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 1200)
SELECT n, n * 1.25 - 700, n FROM s;
