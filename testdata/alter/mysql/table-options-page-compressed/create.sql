CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(40)) ENGINE=InnoDB;
INSERT INTO t (id, v, s)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 2000)
SELECT n, n % 97, REPEAT('y', n % 40) FROM s;
