UPDATE t SET i = i + 100 WHERE id = 5;
UPDATE t SET id = 9001 WHERE id = 6;
DELETE FROM t WHERE id = 7;
INSERT INTO t (id, i, v) VALUES (9002, 1, 'new');
