DELETE FROM t WHERE id = 3 AND v < 100;
UPDATE t SET v = v + 1 WHERE id = 4;
