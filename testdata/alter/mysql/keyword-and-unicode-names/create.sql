CREATE TABLE t (`select` INT PRIMARY KEY, `from` VARCHAR(20), `näme ünïcode` INT, `a``b` INT);
INSERT INTO t (`select`, `from`, `näme ünïcode`, `a``b`)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 1200)
SELECT n, CONCAT('f', n), n, n FROM s;
