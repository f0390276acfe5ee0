CREATE TABLE t (a INT NOT NULL, b VARCHAR(10) NOT NULL, c INT NOT NULL, v INT, PRIMARY KEY (a, b));
INSERT INTO t (a, b, c, v)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 2000)
SELECT n DIV 16, CONCAT('k', n % 16), n % 5, n FROM s;
