CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(40), c CHAR(3)) DEFAULT CHARSET=latin1;
INSERT INTO t (id, s, c)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 2000)
SELECT n, CONCAT('caf', CHAR(233), ' ', n), 'abc' FROM s;
