package checksum

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// feed reports the ranges (0,10], (10,20], ..., (n-10, open) as copied.
func feed(e *Early, n int) {
	for lo := 0; lo < n; lo += 10 {
		var l, h []any
		if lo > 0 {
			l = []any{int64(lo)}
		}
		if lo+10 < n {
			h = []any{int64(lo + 10)}
		}
		e.Copied(l, h, 10)
	}
}

func runEarly(t *testing.T, e *Early) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("the early pass did not end after the last range")
	}
}

// TestEarlyComparesEveryCopiedRange: ranges are merged up to Size and all
// compared, to the open end; with nothing differing, the point has nothing
// left to compare but the keys changed since.
func TestEarlyComparesEveryCopiedRange(t *testing.T) {
	f := newFakeTables(100)
	e := &Early{Open: f.open, Size: 30, Limit: 5}
	feed(e, 100)
	runEarly(t, e)
	rest := e.Rest()
	if !rest.All || rest.Rows != 100 || len(rest.Holes) != 0 || len(rest.Keys) != 0 {
		t.Fatalf("rest after an equal copy: %+v", rest)
	}
	if f.opened != 4 { // 30+30+30+10 rows
		t.Fatalf("%d snapshots for 100 rows in compares of 30, want 4", f.opened)
	}
	res, err := CompareRest(context.Background(), []Snapshot{fakeSnap{f}}, rest, 7, 100, nil)
	if err != nil || res.Chunks != 0 || len(res.Diffs) != 0 {
		t.Fatalf("point after a complete early pass: %+v %v; want nothing to compare", res, err)
	}
}

// TestEarlyLeavesTheRestToThePoint: what the early pass did not vouch for is
// compared at the point, and a difference there is found: a key changed
// after the early pass (reported as touched), a range with too many
// differing rows (a hole), a range with a few (their keys), and everything
// after the last range compared.
func TestEarlyLeavesTheRestToThePoint(t *testing.T) {
	f := newFakeTables(100)
	f.shadow[12], f.shadow[13] = -1, -1 // a few in (10, 20]
	for k := int64(31); k <= 40; k++ {  // many in (30, 40]
		f.shadow[k] = -1
	}
	e := &Early{Open: f.open, Size: 10, Limit: 5}
	for lo := 0; lo < 50; lo += 10 { // the copy is at 50 when the point comes
		e.Copied(keyAt(lo), keyAt(lo+10), 10)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for e.Rest().Rows+10*int64(len(e.Rest().Holes)) < 50 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if err := e.Run(ctx); err != nil {
		t.Fatal(err)
	}
	rest := e.Rest()
	if rest.All || fmt.Sprint(rest.Upto) != "[50]" || len(rest.Holes) != 1 || len(rest.Keys) != 2 {
		t.Fatalf("rest: %+v; want up to 50, one hole, keys 12 and 13", rest)
	}
	// the applier then caught up on the early diffs; then key 5 changed
	// (touched), and a row past the copy differs
	f.shadow[12], f.shadow[13] = 12, 13
	f.src[5] = 500
	f.shadow[77] = -1
	rest.Keys = append(rest.Keys, []any{int64(5)})
	res, err := CompareRest(context.Background(), []Snapshot{fakeSnap{f}, fakeSnap{f}}, rest, 7, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, d := range res.Diffs {
		got = append(got, d[0].(int64))
	}
	slices.Sort(got)
	want := []int64{5, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 77}
	if !slices.Equal(got, want) {
		t.Fatalf("point found %v, want %v", got, want)
	}
	if res.Keys != 3 {
		t.Fatalf("%d keys compared at the point, want 3", res.Keys)
	}
}

// TestEarlyOffForAResumedCopy: a copy resumed after an earlier run's rows
// is not compared early (its first range does not start at the first key),
// so the point compares every row.
func TestEarlyOffForAResumedCopy(t *testing.T) {
	f := newFakeTables(100)
	f.shadow[3] = -1 // copied by the earlier run, wrong
	e := &Early{Open: f.open, Size: 10, Limit: 5}
	for lo := 50; lo < 100; lo += 10 {
		e.Copied(keyAt(lo), keyAt(lo+10), 10)
	}
	e.Copied(keyAt(100), nil, 10)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := e.Run(ctx); err != nil {
		t.Fatal(err)
	}
	rest := e.Rest()
	if rest.verifiedAny() || f.opened != 0 {
		t.Fatalf("a resumed copy was compared early: %+v, %d snapshots", rest, f.opened)
	}
	res, err := CompareRest(context.Background(), []Snapshot{fakeSnap{f}}, rest, 7, 100, nil)
	if err != nil || len(res.Diffs) != 1 || res.Diffs[0][0] != int64(3) {
		t.Fatalf("point: %+v %v; want key 3", res, err)
	}
}

func keyAt(k int) []any {
	if k == 0 {
		return nil
	}
	return []any{int64(k)}
}

// TestEarlyFailureLeavesEverythingToThePoint: a snapshot that cannot be
// opened stops the early pass with the error; whatever it did not compare
// is left to the point, which then finds the differing row.
func TestEarlyFailureLeavesEverythingToThePoint(t *testing.T) {
	f := newFakeTables(100)
	f.shadow[42] = -1
	e := &Early{Open: func(context.Context) (Snapshot, func(), error) {
		return nil, nil, fmt.Errorf("server went away")
	}, Size: 10, Limit: 5}
	feed(e, 100)
	if err := e.Run(context.Background()); err == nil {
		t.Fatal("the early pass should report the failed snapshot")
	}
	rest := e.Rest()
	if rest.verifiedAny() {
		t.Fatalf("a failed early pass vouched for rows: %+v", rest)
	}
	res, err := CompareRest(context.Background(), []Snapshot{fakeSnap{f}}, rest, 7, 100, nil)
	if err != nil || len(res.Diffs) != 1 || res.Diffs[0][0] != int64(42) {
		t.Fatalf("point after a failed early pass: %+v %v; want key 42", res, err)
	}
}
