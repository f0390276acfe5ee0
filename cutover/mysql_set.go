package cutover

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
)

// MySQLSet swaps several tables of one database in one RENAME: the
// application sees all of them old, then all of them new. It is the MySQL
// protocol above with one lock connection per table (A1..An):
//
//  1. create each table's sentry under its old name;
//  2. Ai: LOCK TABLES ti READ, sentry_i WRITE, for every table, in rounds
//     (lockAll): one lock waits, the others must be free at once; when
//     foreign keys are carried, one more connection read-locks their
//     parents in the same rounds (see MySQLTable.ForeignKeys);
//  3. catch every table up, each on its own lock connection;
//  4. B: RENAME TABLE t1 TO old1, shadow1 TO t1, t2 TO old2, ...: it waits
//     on the first sentry in the server's lock order;
//  5. every Ai drops its sentry: B goes on, taking one metadata lock after
//     the other in the server's order of names, and queues on a table;
//  6. the table B is queued on (the zero-wait probe of each table not yet
//     released says which) is released by its Ai; B takes it and queues on
//     the next; until the last one is released and the RENAME runs.
//
// One connection per table is what makes 6 safe: the server grants a
// released table lock to the writers queued on it unless an exclusive
// request is queued there too, and B requests its locks one at a time, so
// one UNLOCK TABLES of every table at once would let the writers of every
// table B does not wait on yet into the old tables. Released one at a
// time, each table goes to B first, which then holds it until the RENAME
// ends. A failure at any step kills the RENAME (the server renames all
// tables or none) and unlocks every table: all stay as they were.
type MySQLSet struct {
	DB          *sql.DB
	Database    string
	Tables      []MySQLTable
	LockTimeout time.Duration // the whole set's budget: the lock waits, and then how long writers are held
}

// MySQLTable is one table of a MySQLSet.
type MySQLTable struct {
	Table, Shadow, Old string
	Applier            Pauser  // paused during the attempt; nil: nothing to pause
	AutoIncrement      *uint64 // the counter the ALTER names; nil: the table's carries over
	// CatchUp brings the shadow level with the source while lock (this
	// table's lock connection) holds the writers of every table of the set.
	CatchUp func(ctx context.Context, lock *sql.Conn) error
	// Triggers are created on the shadow, as their TempName, once it is
	// caught up: nothing writes it from then on, so they fire for the
	// application's writes only, after the RENAME. An attempt that fails
	// drops them again. (mysql.RestoreTriggerNames names them afterwards.)
	Triggers []mysql.Trigger
	// ForeignKeys are the table's keys to its parents, as the new table has
	// them. Once the shadow is caught up they are added to it (under
	// mysql.ShadowKeyName) while the parents are read-locked, with every
	// table of the set, in the same rounds: a key on a shadow behind its
	// table would refuse the deletes of parents whose rows the shadow still
	// holds, and so would the old table's keys after the RENAME, which are
	// dropped before the parents are released. An attempt that fails drops
	// the shadow's before it releases anything.
	ForeignKeys []mysql.ForeignKey
	// Children are other tables' keys referencing the table. Their tables
	// are write-locked in the same rounds; once the shadow is caught up,
	// the keys are re-pointed at it (under mysql.ChildKeyTempName), the
	// RENAME carries them to the table's name, and they are named again
	// before the children are released: no write of a child ever checks
	// against a table the application no longer writes, or against a
	// shadow behind it. An attempt that fails re-points them at the table
	// before it releases anything.
	Children []mysql.ChildKey
}

// children are the keys of other tables referencing the set's.
func (s *MySQLSet) children() []mysql.ChildKey {
	var out []mysql.ChildKey
	for _, t := range s.Tables {
		out = append(out, t.Children...)
	}
	return out
}

// parents are the tables the set's carried keys reference.
func (s *MySQLSet) parents() []mysql.TableName {
	var out []mysql.TableName
	for _, t := range s.Tables {
		for _, k := range t.ForeignKeys {
			p := mysql.TableName{Database: k.RefDatabase, Table: k.RefTable}
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// Attempt runs one cut-over of every table. On any error every original
// table is in place and untouched, the sentries dropped: the caller may
// retry.
func (s *MySQLSet) Attempt(ctx context.Context) (err error) {
	c, err := s.open(ctx)
	if err != nil {
		return err
	}
	defer c.close()
	swapped, created := false, 0
	defer func() {
		if !swapped { // a fresh context: the run's may be cancelled, the sentries must still go
			dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for _, t := range s.Tables[:created] {
				err = errors.Join(err, mysql.DropTable(dctx, s.DB, s.Database, t.Old))
			}
		}
	}()
	for _, t := range s.Tables {
		if err := mysql.CreateSentry(ctx, s.DB, s.Database, t.Old); err != nil {
			return err
		}
		created++
	}
	for _, t := range s.Tables {
		defer pause(t.Applier)()
	}
	if err := s.lockAll(ctx, c); err != nil {
		return errors.Join(err, c.unlockAll())
	}
	swapped, err = s.underLock(ctx, c)
	return err
}

// lockAll locks each table on its own connection, all within one
// LockTimeout. One lock per round waits for the transactions using its
// table; the others are asked without waiting: a transaction holding one of
// them may wait for a table already locked (it writes the tables in another
// order than this round), and waiting for it would hold every table's
// writers until the budget is spent, every attempt. So when one is busy,
// every lock is let go at once, and after a short pause (the transaction in
// the way goes on meanwhile) the next round starts, waiting on the next
// table. An application that writes the tables in one order meets a round
// that waits on its first table within as many rounds as there are
// tables: every transaction holding another table holds that one too, and
// was waited for.
func (s *MySQLSet) lockAll(ctx context.Context, c *setConns) error {
	return lockInRounds(ctx, s.LockTimeout, len(c.a),
		func(first int, wait time.Duration) (string, error) { return s.lockRound(ctx, c, first, wait) }, c.unlockAll)
}

// lockRound locks item first (see lockItem), waiting at most wait, then
// the others without waiting; busy names the item found in use ("" when
// all are locked).
func (s *MySQLSet) lockRound(ctx context.Context, c *setConns, first int, wait time.Duration) (busy string, err error) {
	if wait <= 0 {
		_, name, _ := s.lockItem(c, first)
		return "", fmt.Errorf("lock %s for cut-over: the lock budget %s is spent", name, s.LockTimeout)
	}
	all := indexes(len(c.a))
	order := append([]int{first}, slices.DeleteFunc(all, func(i int) bool { return i == first })...)
	for n, i := range order {
		conn, name, lock := s.lockItem(c, i)
		set := func() error { return mysql.SetNoLockWait(ctx, conn) }
		if n == 0 && conn != c.kids { // the children's write lock also takes their parents: see mysql.WithoutWaiting
			set = func() error { return mysql.SetLockWait(ctx, conn, wait) }
		}
		if err := set(); err != nil {
			return "", err
		}
		err := lock(ctx)
		switch {
		case err == nil:
		case (n > 0 || conn == c.kids) && mysql.IsLockBusy(err):
			return name, nil
		default:
			return "", err
		}
	}
	return "", nil
}

// lockItem is what round item i locks: a table of the set and its
// sentry; after the tables, when keys are carried, the parents (read) and
// the children (write: their keys are altered under the lock).
func (s *MySQLSet) lockItem(c *setConns, i int) (*sql.Conn, string, func(context.Context) error) {
	conn := c.a[i]
	switch {
	case conn == c.par:
		return conn, "the parent tables", func(ctx context.Context) error { return mysql.LockParents(ctx, conn, s.parents()) }
	case conn == c.kids:
		return conn, "the tables whose foreign keys reference the set", func(ctx context.Context) error {
			return mysql.LockChildren(ctx, conn, s.children())
		}
	}
	t := s.Tables[i]
	return conn, t.Table, func(ctx context.Context) error { return mysql.LockForSwap(ctx, conn, s.Database, t.Table, t.Old) }
}

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// setConns are a set's connections: one lock connection per table (and
// one more each for the parents, par, and the children, kids, when keys are
// carried), the RENAME's, and the probe's.
type setConns struct {
	a         []*sql.Conn // the tables', then par and kids
	par, kids *sql.Conn
	b, p      *sql.Conn
	probe     *mysql.QueueProbe
	bID       int64
}

func (s *MySQLSet) open(ctx context.Context) (*setConns, error) {
	n := len(s.Tables)
	par, kids := len(s.parents()) > 0, len(s.children()) > 0
	for _, extra := range []bool{par, kids} {
		if extra {
			n++
		}
	}
	c := &setConns{a: make([]*sql.Conn, n)}
	var err error
	for _, p := range append([]**sql.Conn{&c.b, &c.p}, addrs(c.a)...) {
		if *p, err = s.DB.Conn(ctx); err != nil {
			c.close()
			return nil, fmt.Errorf("cut-over connection: %w", err)
		}
	}
	next := len(s.Tables)
	if par {
		c.par, next = c.a[next], next+1
	}
	if kids {
		c.kids = c.a[next]
	}
	if c.bID, err = mysql.ConnectionID(ctx, c.b); err != nil {
		c.close()
		return nil, err
	}
	if c.probe, err = mysql.NewQueueProbe(ctx, c.p); err != nil {
		c.close()
		return nil, err
	}
	if err = mysql.SetLockWait(ctx, c.b, 2*s.LockTimeout+5*time.Second); err != nil { // lockAll sets the lock connections' waits
		c.close()
		return nil, err
	}
	return c, nil
}

func addrs(cs []*sql.Conn) []**sql.Conn {
	out := make([]**sql.Conn, len(cs))
	for i := range cs {
		out[i] = &cs[i]
	}
	return out
}

// close discards the connections: one may still hold a table lock or a
// queued RENAME, and must not go back to the pool.
func (c *setConns) close() {
	for _, x := range append([]*sql.Conn{c.b, c.p}, c.a...) {
		if x != nil {
			mysql.Discard(x)
		}
	}
}

// unlockAll releases every lock connection's tables (again, for those
// already released: harmless).
func (c *setConns) unlockAll() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	for _, a := range c.a {
		err = errors.Join(err, mysql.Unlock(ctx, a))
	}
	return err
}

// underLock catches up, queues the RENAME and releases the tables to it one
// by one. It returns whether the tables were swapped.
func (s *MySQLSet) underLock(ctx context.Context, c *setConns) (swapped bool, err error) {
	renameDone := make(chan error, 1)
	renameStarted, sentryDropped := false, false
	var carried []MySQLTable // whose triggers and keys may be on their shadows
	defer func() {
		if !swapped {
			dropKeys := func() error { return errors.Join(s.dropShadowKeys(carried), s.repointBack(c)) }
			err = errors.Join(err, s.abort(c, renameStarted, sentryDropped, renameDone, dropKeys), s.dropTriggers(carried))
		}
	}()
	budget, cancel := context.WithTimeout(ctx, s.LockTimeout)
	defer cancel()
	swaps := make([]mysql.Swap, len(s.Tables))
	for i, t := range s.Tables {
		if err := t.CatchUp(budget, c.a[i]); err != nil {
			return false, err
		}
		if err := mysql.CarryAutoIncrement(budget, s.DB, s.Database, t.Table, t.Shadow, t.AutoIncrement); err != nil {
			return false, err
		}
		carried = append(carried, t)
		if err := s.carryTriggers(budget, t); err != nil {
			return false, err
		}
		if err := s.carryKeys(budget, t); err != nil {
			return false, err
		}
		swaps[i] = mysql.Swap{Table: t.Table, Old: t.Old, Shadow: t.Shadow}
	}
	if err := s.repointChildren(budget, c); err != nil {
		return false, err
	}
	renameStarted = true
	go func() { renameDone <- mysql.SwapRename(context.Background(), c.b, s.Database, swaps) }()
	if err := s.waitRename(budget, c, renameDone, nil); err != nil {
		return false, err
	}
	for i, t := range s.Tables {
		if err := mysql.DropSentry(ctx, c.a[i], s.Database, t.Old); err != nil {
			return false, err
		}
		sentryDropped = true
	}
	if err := s.releaseInTurn(ctx, budget, c, renameDone); err != nil {
		return false, err
	}
	if err := <-renameDone; err != nil {
		return false, err
	}
	s.releaseChildren(c)
	s.releaseParents(c)
	return true, nil
}

// repointChildren makes the children's keys reference the caught-up
// shadows, under their temporary names (see MySQLTable.Children), on the
// connection that holds the children.
func (s *MySQLSet) repointChildren(ctx context.Context, c *setConns) error {
	if c.kids == nil {
		return nil
	}
	if _, err := c.kids.ExecContext(ctx, mysql.KeysOff); err != nil {
		return err
	}
	for _, t := range s.Tables {
		for _, g := range mysql.ByChild(t.Children) {
			if _, err := c.kids.ExecContext(ctx, mysql.RepointChildKeysSQL(g, s.Database, t.Shadow, mysql.ChildKeyName, mysql.ChildKeyTempName)); err != nil {
				return fmt.Errorf("re-point the foreign keys of %s at the shadow of %s: %w", g[0].Table, t.Table, err)
			}
		}
	}
	return nil
}

// repointBack makes the children's keys a failed attempt re-pointed at the
// shadows reference the tables again, under their names, before the
// children are released.
func (s *MySQLSet) repointBack(c *setConns) error {
	if c.kids == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	for _, t := range s.Tables {
		_, rerr := mysql.RestoreChildKeysOn(ctx, c.kids, s.Database, t.Table, t.Shadow)
		err = errors.Join(err, rerr)
	}
	return err
}

// releaseChildren names the children's keys again, now that the RENAME
// carried them to the tables' names, and lets the children go. A key left
// under its temporary name (an error here) still holds; the run's end
// names it (mysql.RestoreChildKeys), and says so if it cannot.
func (s *MySQLSet) releaseChildren(c *setConns) {
	if c.kids == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, t := range s.Tables {
		for _, g := range mysql.ByChild(t.Children) {
			_, _ = c.kids.ExecContext(ctx, mysql.RepointChildKeysSQL(g, s.Database, t.Table, mysql.ChildKeyTempName, mysql.ChildKeyName))
		}
	}
	_ = mysql.Unlock(ctx, c.kids)
}

// carryKeys adds t's foreign keys to its caught-up shadow (see
// MySQLTable.ForeignKeys), dropping first any an earlier attempt could
// not: metadata only, which waits for no user of the parents.
func (s *MySQLSet) carryKeys(ctx context.Context, t MySQLTable) error {
	if len(t.ForeignKeys) == 0 {
		return nil
	}
	if err := mysql.DropAllForeignKeys(ctx, s.DB, s.Database, t.Shadow); err != nil {
		return err
	}
	name := func(k mysql.ForeignKey) string { return mysql.ShadowKeyName(k.Name, t.Table, t.Shadow) }
	if err := mysql.AlterKeys(ctx, s.DB, mysql.AddForeignKeysSQL(s.Database, t.Shadow, t.ForeignKeys, name)); err != nil {
		return fmt.Errorf("add the foreign keys of %s to its shadow: %w", t.Table, err)
	}
	return nil
}

// dropShadowKeys drops the keys a failed attempt added to the shadows,
// while the parents are still locked (after the RENAME is gone: it holds
// the shadows' metadata locks).
func (s *MySQLSet) dropShadowKeys(tables []MySQLTable) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	for _, t := range tables {
		if len(t.ForeignKeys) > 0 {
			err = errors.Join(err, mysql.DropAllForeignKeys(ctx, s.DB, s.Database, t.Shadow))
		}
	}
	return err
}

// releaseParents drops the old tables' keys once swapped, then lets the
// parents go. A key left on an old table (an error here) is dropped by the
// run's end (mysql.RestoreForeignKeyNames), which says so if it cannot.
func (s *MySQLSet) releaseParents(c *setConns) {
	if c.par == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, t := range s.Tables {
		if len(t.ForeignKeys) > 0 {
			_ = mysql.DropAllForeignKeys(ctx, s.DB, s.Database, t.Old)
		}
	}
	_ = mysql.Unlock(ctx, c.par)
}

// carryTriggers creates t's triggers on its caught-up shadow as their
// TempName (see MySQLTable.Triggers), dropping first any an earlier attempt
// could not.
func (s *MySQLSet) carryTriggers(ctx context.Context, t MySQLTable) error {
	if len(t.Triggers) == 0 {
		return nil
	}
	if err := mysql.DropTriggers(ctx, s.DB, s.Database, tempTriggerNames(t)); err != nil {
		return err
	}
	_, err := mysql.CreateTriggers(ctx, s.DB, s.Database, t.Shadow, t.Triggers, mysql.Trigger.TempName)
	return err
}

// dropTriggers drops the triggers a failed attempt created on the shadows,
// before the appliers write them again; after abort: the RENAME, which
// holds the shadows' metadata locks, is gone by then.
func (s *MySQLSet) dropTriggers(tables []MySQLTable) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	for _, t := range tables {
		err = errors.Join(err, mysql.DropTriggers(ctx, s.DB, s.Database, tempTriggerNames(t)))
	}
	return err
}

func tempTriggerNames(t MySQLTable) []string {
	names := make([]string, len(t.Triggers))
	for i, tr := range t.Triggers {
		names[i] = tr.TempName()
	}
	return names
}

// releaseInTurn unlocks each table once the RENAME is queued for it, until
// every one is released.
func (s *MySQLSet) releaseInTurn(ctx, budget context.Context, c *setConns, renameDone chan error) error {
	left := indexes(len(s.Tables))
	for len(left) > 0 {
		if err := s.waitRename(budget, c, renameDone, left); err != nil {
			return err
		}
		for j, i := range left {
			queued, err := c.probe.ExclusiveQueued(budget, s.Database, s.Tables[i].Table, c.bID)
			if err != nil {
				return err
			}
			if !queued {
				continue
			}
			if err := mysql.Unlock(ctx, c.a[i]); err != nil {
				return err
			}
			left = slices.Delete(left, j, j+1)
			break
		}
	}
	return nil
}

// waitRename waits until the RENAME waits on a metadata lock and, given
// tables (indexes into s.Tables; nil: any lock), until it is queued for one
// of those tables' own lock.
func (s *MySQLSet) waitRename(ctx context.Context, c *setConns, renameDone chan error, tables []int) error {
	for {
		ok, err := s.renameQueued(ctx, c, tables)
		if err != nil || ok {
			return err
		}
		select {
		case err := <-renameDone:
			renameDone <- err
			return fmt.Errorf("rename ended before the cut-over released its locks: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("rename not queued within the cut-over budget %s: %w", s.LockTimeout, ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func (s *MySQLSet) renameQueued(ctx context.Context, c *setConns, tables []int) (bool, error) {
	waiting, err := mysql.WaitingForMetadataLock(ctx, s.DB, c.bID)
	if err != nil || !waiting || tables == nil {
		return waiting, err
	}
	for _, i := range tables {
		if ok, err := c.probe.ExclusiveQueued(ctx, s.Database, s.Tables[i].Table, c.bID); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// abort leaves every original table in place: a RENAME queued after the
// sentries are gone is killed before the locks are released (the server
// renames all or none); before that, a sentry makes it fail.
func (s *MySQLSet) abort(c *setConns, renameStarted, sentryDropped bool, renameDone chan error, beforeUnlock func() error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	if renameStarted && (sentryDropped || c.par != nil || c.kids != nil) { // with keys carried, they are undone before any lock goes: the RENAME first
		err = mysql.KillQuery(ctx, s.DB, c.bID)
		select {
		case rerr := <-renameDone:
			renameStarted = false
			if rerr == nil {
				return errors.New("BUG: the RENAME ran while a table was still locked")
			}
		case <-ctx.Done():
			return errors.Join(err, errors.New("the queued RENAME could not be killed: the tables are still locked by the cut-over connections, which now close"))
		}
	}
	err = errors.Join(err, beforeUnlock(), c.unlockAll())
	if renameStarted {
		select {
		case <-renameDone: // fails on a sentry
		case <-ctx.Done():
			err = errors.Join(err, errors.New("the queued RENAME is still pending after the cut-over was aborted"))
		}
	}
	return err
}
