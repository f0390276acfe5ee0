CREATE TABLE t (id INT PRIMARY KEY, a TINYBLOB, b BLOB, c TINYTEXT, d TEXT);
INSERT INTO t (id, a, b, c, d)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 400)
SELECT n, REPEAT('a', n % 250), REPEAT('b', n * 50), REPEAT('c', n % 250), REPEAT('dé', n * 20) FROM s;
