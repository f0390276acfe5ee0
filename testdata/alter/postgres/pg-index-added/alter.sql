ADD CONSTRAINT t_ab_key UNIQUE (a, b)
