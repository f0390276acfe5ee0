CLUSTER ON t_i_idx, ADD COLUMN w int
