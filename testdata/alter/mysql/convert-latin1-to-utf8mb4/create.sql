CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(40), tx TEXT, c CHAR(10)) DEFAULT CHARSET=latin1;
INSERT INTO t (id, s, tx, c)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 1200)
SELECT n, CONCAT('café ', n), REPEAT('ñ', n % 50), 'ÿ' FROM s;
