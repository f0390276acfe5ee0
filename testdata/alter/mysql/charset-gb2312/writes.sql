INSERT INTO t VALUES (100001, '简体中文 new', '简体中文');
UPDATE t SET s = '简体中文 upd' WHERE id = 5;
