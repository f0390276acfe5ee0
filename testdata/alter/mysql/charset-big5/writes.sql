INSERT INTO t VALUES (100001, '繁體中文 new', '繁體中文');
UPDATE t SET s = '繁體中文 upd' WHERE id = 5;
