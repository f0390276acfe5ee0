UPDATE t SET v = v || 'x', i = i + 1 WHERE id % 40 = 0;
DELETE FROM t WHERE id BETWEEN 100 AND 110;
