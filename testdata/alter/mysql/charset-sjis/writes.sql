INSERT INTO t VALUES (100001, '日本語テキスト new', '日本語テキスト');
UPDATE t SET s = '日本語テキスト upd' WHERE id = 5;
