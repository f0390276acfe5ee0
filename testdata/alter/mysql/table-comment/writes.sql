UPDATE t SET s = 'changed' WHERE id = 10;
