CREATE TABLE t (id int PRIMARY KEY, i int NOT NULL, v text DEFAULT '0', n numeric(10,2));
CREATE INDEX t_v_idx ON t (v);
INSERT INTO t SELECT g, g % 7, g::text, g / 3.0 FROM generate_series(1, 2000) g;
