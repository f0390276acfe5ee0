CREATE TABLE t (id int PRIMARY KEY, i int NOT NULL, v text, n numeric(10,2));
CREATE INDEX t_i_idx ON t (i);
ALTER TABLE t CLUSTER ON t_i_idx;
INSERT INTO t SELECT g, g % 7, 'v' || g, g / 3.0 FROM generate_series(1, 2000) g;
