CREATE TABLE t (id int PRIMARY KEY, code int NOT NULL, v text);
CREATE UNIQUE INDEX t_code_idx ON t (code);
INSERT INTO t SELECT g, g * 2, 'v' || g FROM generate_series(1, 2000) g;
