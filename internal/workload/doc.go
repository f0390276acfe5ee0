// Package workload drives a random, concurrent write workload against one
// MySQL/MariaDB or PostgreSQL table and keeps an exact model of every write
// the server acknowledged, so that end-to-end migration tests can verify that
//
//   - the application-side writers saw no errors while the table was being
//     migrated and swapped (Stats.Errors), and
//   - every acknowledged write is present in the final table (Check).
//
// The model is exact without reading the table back because each worker owns
// a disjoint partition of the key space (id % Workers) and every insert or
// update stamps the row's `wl_ver` BIGINT column with a fresh, globally
// increasing version. The model maps id -> last acknowledged wl_ver; it is
// changed only when COMMIT returns nil. A COMMIT that fails leaves its keys
// "uncertain": Check accepts them in either state.
//
// Ids map to row key values by column type (see keys.go): integers store the
// id, strings "k%012d", temporal types a base time plus id seconds/days; a
// composite key stores id/16, id%16, then id. Other UNIQUE indexes get values
// derived from the id the same way, so inserts rarely collide; when they do
// (duplicate on an index other than the row key) the transaction is rolled
// back like an application would, and that is not an error.
//
// The engine is detected once in New: a *sql.DB opened with the pgx stdlib
// driver (sql.Open("pgx", dsn)) is PostgreSQL, anything else MySQL/MariaDB
// (see dialect.go). On PostgreSQL, Options.Table is "table" (in
// current_schema()) or "schema.table"; uuid keys store
// 00000000-0000-0000-0000-<id in 12 digits>; the duplicate rolled back like an
// application would is unique_violation (23505) on another index; a
// GENERATED ALWAYS identity row key is inserted with OVERRIDING SYSTEM VALUE
// and never changed by UPDATE (no key changes), other such identity columns
// are left to the server; columns that generated columns are computed from
// get small numbers only, so that the expression cannot overflow; big
// TEXT/BYTEA values are 8 kB..1 MB (TOASTed) instead of over 1 MB.
//
// Typical use:
//
//	w, err := workload.New(db, workload.Options{Table: "t", Seed: seed})
//	err = w.Load(ctx, 2000)
//	w.Start(ctx)
//	... run the migration ...
//	stats := w.Stop() // stats.Errors must be empty
//	err = w.Check(ctx, db, "t")
//
// Limitations: the table must be empty before Load (rows the model does not
// know are reported as extra); the written column set is fixed at New, so a
// migration must not drop or rename columns the workload writes, nor row key
// columns or wl_ver if Check is to read the result; CHECK constraints other
// than MariaDB's json_valid, triggers that reject rows and foreign keys are
// not modelled; columns of unsupported types (spatial, ...; on PostgreSQL
// all but integers, numeric, real/double precision, boolean, text, varchar,
// char, bytea, json/jsonb, date, timestamp[tz], uuid and one-dimensional
// integer or text arrays: e.g. time, interval, inet, enums, domains) are not
// written and get their defaults; non-key column values are not verified,
// only presence and wl_ver.
package workload
