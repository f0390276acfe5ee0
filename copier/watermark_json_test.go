package copier

import (
	"reflect"
	"testing"
	"time"
)

func TestCheckpointKeyRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 25, 17, 0, 0, 123456789, time.UTC)
	key := []any{int64(-42), uint64(1 << 63), 2.5, true, "a'b`c\"é", []byte{0, 255, '\''}, at, nil}
	raw, err := EncodeKey(key)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, key) {
		t.Fatalf("round trip:\n got %#v\nwant %#v", back, key)
	}
	if _, err := EncodeKey([]any{struct{}{}}); err == nil {
		t.Fatal("an unknown type must be refused, not stored wrongly")
	}
}
