package copier

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// ckptValue is one column of a row key as the checkpoint stores it: typed,
// so that a resumed copy binds exactly the value the driver returned.
type ckptValue struct {
	T string `json:"t"`
	V string `json:"v,omitempty"`
}

// EncodeKey turns a copy boundary (a Watermark) into JSON for a checkpoint; an error for a type it does
// not know (the caller then checkpoints no watermark: a resume recopies).
func EncodeKey(key []any) (json.RawMessage, error) {
	out := make([]ckptValue, len(key))
	for i, v := range key {
		kv, err := encodeValue(v)
		if err != nil {
			return nil, fmt.Errorf("key column %d: %w", i+1, err)
		}
		out[i] = kv
	}
	return json.Marshal(out)
}

func encodeValue(v any) (ckptValue, error) {
	switch x := v.(type) {
	case nil:
		return ckptValue{T: "null"}, nil
	case int64:
		return ckptValue{T: "int", V: strconv.FormatInt(x, 10)}, nil
	case int32:
		return ckptValue{T: "int", V: strconv.FormatInt(int64(x), 10)}, nil
	case int:
		return ckptValue{T: "int", V: strconv.Itoa(x)}, nil
	case uint64:
		return ckptValue{T: "uint", V: strconv.FormatUint(x, 10)}, nil
	case float64:
		return ckptValue{T: "float", V: strconv.FormatFloat(x, 'g', -1, 64)}, nil
	case bool:
		return ckptValue{T: "bool", V: strconv.FormatBool(x)}, nil
	case string:
		return ckptValue{T: "str", V: x}, nil
	case []byte:
		return ckptValue{T: "bytes", V: base64.StdEncoding.EncodeToString(x)}, nil
	case time.Time:
		return ckptValue{T: "time", V: x.Format(time.RFC3339Nano)}, nil
	}
	return ckptValue{}, fmt.Errorf("cannot checkpoint a key value of type %T", v)
}

// DecodeKey reads what EncodeKey wrote (empty: nil, nothing copied), with
// the Go types the driver returned, for Options.Start.
func DecodeKey(raw json.RawMessage) ([]any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var vals []ckptValue
	if err := json.Unmarshal(raw, &vals); err != nil {
		return nil, fmt.Errorf("checkpoint watermark %s: %w", raw, err)
	}
	key := make([]any, len(vals))
	for i, kv := range vals {
		v, err := decodeValue(kv)
		if err != nil {
			return nil, fmt.Errorf("checkpoint watermark column %d: %w", i+1, err)
		}
		key[i] = v
	}
	return key, nil
}

func decodeValue(kv ckptValue) (any, error) {
	switch kv.T {
	case "null":
		return nil, nil
	case "int":
		return strconv.ParseInt(kv.V, 10, 64)
	case "uint":
		return strconv.ParseUint(kv.V, 10, 64)
	case "float":
		return strconv.ParseFloat(kv.V, 64)
	case "bool":
		return strconv.ParseBool(kv.V)
	case "str":
		return kv.V, nil
	case "bytes":
		return base64.StdEncoding.DecodeString(kv.V)
	case "time":
		return time.Parse(time.RFC3339Nano, kv.V)
	}
	return nil, fmt.Errorf("unknown value type %q", kv.T)
}
