INSERT INTO t VALUES (100001, 'mixed Ω 日本 😀 new', 'mixed Ω 日本 😀');
UPDATE t SET s = 'mixed Ω 日本 😀 upd' WHERE id = 5;
